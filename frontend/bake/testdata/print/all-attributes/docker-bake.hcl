target "full" {
  description       = "every attribute buildx knows"
  context           = "."
  contexts          = { alpine = "docker-image://alpine:3.20", src = "../src", gone = "" }
  dockerfile        = "Dockerfile"
  args              = { A = "1" }
  labels            = { L = "2" }
  annotations       = ["index:org.opencontainers.image.authors=me"]
  tags              = ["example/full:1", "example/full:1"]
  target            = "final"
  platforms         = ["linux/amd64", "linux/arm64"]
  cache-from        = ["example/full:cache", "type=gha"]
  cache-to          = ["type=inline"]
  output            = ["out", "-", "type=image,name=example/full,push=true"]
  secret            = ["id=npm,src=.npmrc", "type=env,id=TOKEN,env=TOKEN"]
  ssh               = ["default", "key=/a,/b"]
  network           = "default"
  no-cache          = true
  no-cache-filter   = ["build"]
  pull              = true
  shm-size          = "128m"
  ulimits           = ["nofile=1024:1024"]
  attest            = ["type=sbom", "type=provenance,mode=max"]
  call              = "check"
  entitlements      = ["security.insecure"]
  extra-hosts       = { "db.local" = "10.0.0.2" }
}
