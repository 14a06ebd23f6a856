target "pushed" { output = ["type=image,name=example/p"] }
target "loaded" { output = ["type=docker"] }
target "plain" {}
