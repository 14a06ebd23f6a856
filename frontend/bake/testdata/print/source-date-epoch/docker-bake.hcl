# buildx passes SOURCE_DATE_EPOCH from the environment as a build arg to
# every target that does not set it.
target "default" { args = { A = "1" } }
target "pinned" { args = { SOURCE_DATE_EPOCH = "0" } }
