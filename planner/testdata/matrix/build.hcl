target "app" {
  name = "app-${mode}"
  matrix = {
    mode = ["debug", "release"]
  }
  args = { MODE = mode }
  tags = ["example/app:${mode}"]
}
