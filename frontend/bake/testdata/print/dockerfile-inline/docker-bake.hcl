variable "BASE" { default = "busybox" }
target "inline" {
  dockerfile-inline = <<-EOT
    FROM ${BASE}
    ARG MSG
    RUN echo "$${MSG}" > /msg
  EOT
  args   = { MSG = "literal $${HOME}" }
  labels = { "template" = "%%{ if true }" }
}
