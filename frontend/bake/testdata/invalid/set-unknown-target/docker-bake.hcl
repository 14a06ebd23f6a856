target "prod" {}
