target "app" {
  tagz = ["x"]
}
