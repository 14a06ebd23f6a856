target "app" {
  name = "app/with/slash"
}
