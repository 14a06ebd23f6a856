target "base" { dockerfile = "x" }
target "app" { dockerfile = target.bsae.dockerfile }
