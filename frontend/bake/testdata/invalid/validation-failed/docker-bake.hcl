variable "VERSION" {
  default = "main"
  validation {
    condition     = can(regex("^v", VERSION))
    error_message = "VERSION must start with v, got ${VERSION}."
  }
}
target "app" {}
