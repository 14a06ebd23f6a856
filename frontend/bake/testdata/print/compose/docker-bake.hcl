target "api" {
  args = { FROM_HCL = "1" }
}
