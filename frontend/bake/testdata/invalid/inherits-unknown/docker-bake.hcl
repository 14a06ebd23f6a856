target "base" {}
target "app" { inherits = ["bsae"] }
