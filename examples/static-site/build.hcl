# static-site: the site image, a test target and two language variants.

variable "GREETING" {
  default = "Hello"
}

group "default" {
  targets = ["site", "lang"]
}

target "site" {
  dockerfile = "Dockerfile"
  target     = "site"
  tags       = ["example-site"]
  args = {
    GREETING = GREETING
  }
}

target "test" {
  inherits = ["site"]
  target   = "test"
  tags     = []
}

target "lang" {
  name     = "site-${lang}"
  inherits = ["site"]
  matrix = {
    lang = ["en", "fr"]
  }
  args = {
    GREETING = lang == "fr" ? "Bonjour" : GREETING
  }
  tags = ["example-site:${lang}"]
}
