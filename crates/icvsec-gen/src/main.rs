//! `icvsec-gen OUT --ecus N --certs M --flows K --other-files F [--seed S]`: write a
//! synthetic vehicle build (deterministic for a seed).

use icvsec_gen::{Params, generate};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: icvsec-gen OUT --ecus N --certs M --flows K --other-files F [--seed S]";

fn parse(args: &[String]) -> Result<(PathBuf, Params), String> {
    let mut out = None;
    let mut p = Params {
        ecus: 20,
        certs: 200,
        flows: 100,
        other_files: 1000,
        seed: 1,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse::<u64>()
                .map_err(|e| format!("{name}: `{v}` is not a number: {e}"))
        };
        match a.as_str() {
            "--ecus" => p.ecus = num(a)? as usize,
            "--certs" => p.certs = num(a)? as usize,
            "--flows" => p.flows = num(a)? as usize,
            "--other-files" => p.other_files = num(a)? as usize,
            "--seed" => p.seed = num(a)?,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s if out.is_none() => out = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    Ok((out.ok_or("OUT is required")?, p))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, p) = match parse(&args) {
        Ok(x) => x,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("icvsec-gen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let t = std::time::Instant::now();
    match generate(&out, &p) {
        Ok(st) => {
            eprintln!(
                "icvsec-gen: {} files ({:.1} MB) in {:.1}s: {} ECUs ({} Linux, {} Android), {} certificates, {} key files, {} flows, {} other files",
                st.files,
                st.bytes as f64 / 1e6,
                t.elapsed().as_secs_f64(),
                p.ecus,
                st.linux_rootfs,
                st.android_rootfs,
                st.certificates,
                st.key_files,
                st.flows,
                st.other_files
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("icvsec-gen: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
