//! Builds the web app (web/, TypeScript + Vite) so that `cargo build` is all a
//! newcomer types. Set HOVOR_SKIP_WEB_BUILD=1 to use an existing web/dist.

use std::path::Path;
use std::process::Command;

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    for input in [
        "src",
        "index.html",
        "demo-site",
        "vite.widget.config.ts",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
        "public",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }
    println!("cargo:rerun-if-env-changed=HOVOR_SKIP_WEB_BUILD");
    let dist_index = web.join("dist/index.html");
    if std::env::var_os("HOVOR_SKIP_WEB_BUILD").is_some() && dist_index.exists() {
        return;
    }
    if !web.join("node_modules/.package-lock.json").exists() {
        run(&web, &["ci", "--no-audit", "--no-fund"]);
    }
    run(&web, &["run", "build"]);
    if !dist_index.exists() {
        panic!(
            "the web build finished without producing {}",
            dist_index.display()
        );
    }
}

fn run(dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run npm (Node.js 20 and npm are needed to build the web app): {e}")
        });
    if !status.success() {
        panic!("`npm {}` failed in {}", args.join(" "), dir.display());
    }
}
