variable "TAG" { default = "latest" }
variable "REPO" { default = "example/app" }
variable "PUSH" { default = false }
variable "REPLICAS" { default = 1 }
variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64"]
}
variable "EXTRA" {
  type    = map(string)
  default = {}
}
variable "PORTS" {
  type    = list(number)
  default = [80]
}
variable "BAKE_SECRET" { default = "kept" }
variable "UNSET" {}
target "app" {
  tags      = ["${REPO}:${TAG}"]
  platforms = PLATFORMS
  args = merge(EXTRA, {
    PUSH      = PUSH ? "yes" : "no"
    REPLICAS  = REPLICAS + 1
    SECRET    = BAKE_SECRET
    UNSET     = "[${UNSET}]"
    PORTS     = join(",", [for p in PORTS : p + 1])
  })
}
