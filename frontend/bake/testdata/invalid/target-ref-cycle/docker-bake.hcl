target "a" { dockerfile = target.b.dockerfile }
target "b" { dockerfile = target.a.dockerfile }
