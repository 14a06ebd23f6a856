target "prod" {}
target "debug" {}
