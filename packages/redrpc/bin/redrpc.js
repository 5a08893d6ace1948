#!/usr/bin/env node
// The `redrpc` command. A committed shim rather than a bin pointing into dist/: package managers link bins at
// install time, before any build, and warn ("Failed to create bin") when the target does not exist yet.
import '../dist/cli.js'
