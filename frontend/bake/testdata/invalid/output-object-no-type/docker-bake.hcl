target "app" {
  # an object entry is never a bare path: it needs a type too
  output = [{ dest = "out" }]
}
