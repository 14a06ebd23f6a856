# buildx's normalization of a resolved target, attribute by attribute.
target "base" {
  description = "base image"
  context     = "cwd://sub/../app/"
  attest      = ["type=sbom,generator=a", "type=provenance,mode=min"]
  cache-from  = ["type=gha"]
  secret      = ["id=x,src=f"]
  tags        = ["", "t"]
}
target "app" {
  inherits    = ["base"]
  # an empty description does not replace the inherited one
  description = ""
  # one attestation per type: the last wins, at the place of the first
  attest      = ["type=sbom,disabled=true", "type=provenance,disabled=false,mode=max"]
  # duplicates go the way of buildx's removeDupes: the last entry moves into the gap
  cache-from  = ["type=gha", "user/app:r1", "user/app:r2"]
  # replaced by --set, where a ref-only entry with commas is one registry cache per ref
  cache-to    = ["type=inline"]
  # with type=env, src names the environment variable
  secret      = ["type=env,id=TOKEN,src=GH_TOKEN"]
  platforms   = ["", "linux/amd64", "linux/amd64"]
  output      = ["type=local,dest=a", "type=local,dest=b", "type=local,dest=a"]
}
