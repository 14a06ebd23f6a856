target "app" {
  tags = "example/app:latest"
}
