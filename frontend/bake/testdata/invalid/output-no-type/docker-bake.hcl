target "app" {
  # buildx: a CSV output needs a type (a bare path is a local export)
  output = ["type=docker", "dest=out.tar,compression=gzip"]
}
