# "default" is a target here: the default group buildx makes for "app"
# already exists when "default" comes, so it lists only "app".
target "default" {}
target "app" {}
