target "app" {
  tags = [uper("x")]
}
