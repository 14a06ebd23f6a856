targte "app" {}
