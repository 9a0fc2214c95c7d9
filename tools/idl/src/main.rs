//! Generates the three programs' Anchor IDLs into `idl/` with anchor-lang's own IDL build
//! (`anchor_lang_idl::build::IdlBuilder`: `cargo test __anchor_private_print_idl --features
//! idl-build` in the program's directory, then the printed sections assembled into one IDL, its
//! module paths shortened, sorted and verified — what `anchor idl build` does, without the Anchor
//! CLI), on the toolchain pinned in rust-toolchain.toml.
//!
//! ```text
//! bash scripts/idl.sh            # write idl/amm.json, idl/lending_pool.json, idl/leveraged_token.json
//! bash scripts/idl.sh --check    # regenerate into a temp dir; fail if the committed files differ
//! ```

use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anchor_lang_idl::{build::IdlBuilder, types::Idl};
use anyhow::{bail, Context, Result};

/// (IDL file stem, program directory under the repository root).
const PROGRAMS: [(&str, &str); 3] = [("amm", "programs/amm"), ("lending_pool", "programs/lending-pool"), ("leveraged_token", "programs/leveraged-token")];

/// How many diff lines a stale file prints before the rest is elided.
const DIFF_LINES: usize = 80;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn usage() -> &'static str {
    "usage: levtoken-idl [--check] [--out DIR]\n\
     \n\
     Without --check, writes <name>.json for amm, lending_pool and leveraged_token into DIR\n\
     (default: <repo>/idl). With --check, generates them into a temporary directory and exits\n\
     with status 1 when a committed file under <repo>/idl is missing or differs."
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut check = false;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--out" => out = Some(args.next().context("--out needs a directory")?.into()),
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument {other:?}\n{}", usage()),
        }
    }
    let root = repo_root();
    let committed = root.join("idl");

    // anchor-lang-idl 0.1.4 turns a set RUSTUP_TOOLCHAIN into the literal argument
    // `+{toolchain}` (an unformatted string), which cargo rejects. The program directories sit
    // under rust-toolchain.toml, so the pinned toolchain is used without it.
    std::env::remove_var("RUSTUP_TOOLCHAIN");

    if check {
        let tmp = tempfile::tempdir().context("creating a temporary directory")?;
        generate(&root, tmp.path())?;
        let mut stale = Vec::new();
        for (name, _) in PROGRAMS {
            let file = format!("{name}.json");
            let fresh = fs::read_to_string(tmp.path().join(&file))?;
            match fs::read_to_string(committed.join(&file)) {
                Ok(old) if old == fresh => println!("idl/{file}: up to date"),
                Ok(old) => {
                    print_diff(&format!("idl/{file} (committed)"), &old, &format!("idl/{file} (generated)"), &fresh);
                    stale.push(file);
                }
                Err(_) => {
                    eprintln!("idl/{file}: missing");
                    stale.push(file);
                }
            }
        }
        if stale.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "\nSTALE IDL: the programs now generate something else than the committed {}.\n\
             Regenerate with `bash scripts/idl.sh`, then regenerate the TypeScript client \
             (`npm --prefix web run codegen`) and commit idl/ and web/src/generated/.",
            stale.iter().map(|f| format!("idl/{f}")).collect::<Vec<_>>().join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }

    let out = out.unwrap_or(committed);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    generate(&root, &out)?;
    Ok(ExitCode::SUCCESS)
}

/// Builds every program's IDL and writes `<name>.json` into `out`.
fn generate(root: &Path, out: &Path) -> Result<()> {
    // IdlBuilder runs cargo with `RUSTFLAGS=-A warnings`, which would give every crate another
    // fingerprint than the workspace's own builds and recompile the whole dependency tree (a
    // few minutes) in target/debug, invalidating those builds each time. CARGO_ENCODED_RUSTFLAGS
    // takes precedence over RUSTFLAGS, so setting it to the caller's own flags (usually none)
    // lets the IDL build reuse what `cargo test --workspace` compiled: only anchor-lang's
    // idl-build variant and the programs build anew, as artifacts of their own.
    if std::env::var_os("CARGO_ENCODED_RUSTFLAGS").is_none() {
        let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
        std::env::set_var("CARGO_ENCODED_RUSTFLAGS", flags.split_whitespace().collect::<Vec<_>>().join("\x1f"));
    }
    for (name, dir) in PROGRAMS {
        eprintln!("building the IDL of {dir} ...");
        let idl = IdlBuilder::new()
            .program_path(root.join(dir))
            .cargo_args(vec!["--locked".into()])
            .build()
            .with_context(|| format!("building the IDL of {dir} (rerun with ANCHOR_LOG=1 for cargo's output)"))?;
        sanity_check(name, &idl)?;
        let json = serde_json::to_string_pretty(&idl)? + "\n";
        let path = out.join(format!("{name}.json"));
        fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "  {}: {} instructions, {} accounts, {} events, {} errors, {} types",
            path.display(),
            idl.instructions.len(),
            idl.accounts.len(),
            idl.events.len(),
            idl.errors.len(),
            idl.types.len()
        );
    }
    Ok(())
}

/// Every program of ours has instructions, accounts, events and errors; an IDL without one of
/// them means a section was lost in the build (e.g. a test-output format change), not a program
/// change.
fn sanity_check(name: &str, idl: &Idl) -> Result<()> {
    for (section, len) in [
        ("instructions", idl.instructions.len()),
        ("accounts", idl.accounts.len()),
        ("events", idl.events.len()),
        ("errors", idl.errors.len()),
        ("types", idl.types.len()),
    ] {
        if len == 0 {
            bail!("the IDL of {name} has no {section}");
        }
    }
    if idl.address.is_empty() {
        bail!("the IDL of {name} has no program address");
    }
    Ok(())
}

fn print_diff(old_name: &str, old: &str, new_name: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff.unified_diff().context_radius(3).header(old_name, new_name).to_string();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(DIFF_LINES) {
        eprintln!("{line}");
    }
    if lines.len() > DIFF_LINES {
        eprintln!("... ({} more diff lines)", lines.len() - DIFF_LINES);
    }
}
