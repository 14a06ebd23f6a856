target "pushed" { output = ["type=image,name=example/p"] }
target "loaded" { output = ["type=docker"] }
target "plain" {}
# push=false drops the registry output (the last output moves into its place)
target "unpushed" { output = ["type=registry,name=example/u", "out", "type=image,name=example/u"] }
# load=true adds nothing next to a local export
target "exported" { output = ["out"] }
