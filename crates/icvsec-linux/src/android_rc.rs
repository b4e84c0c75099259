//! Android init language (`/init.rc`, `/{system,vendor,odm,product,system_ext}/etc/init/*.rc`,
//! `/vendor/etc/init/hw/*.rc`, `/init.*.rc`): `service` blocks (name, program, arguments,
//! `class`, `disabled`, `oneshot`, `user`, `seclabel`) and the `start <service>` commands
//! of `on <trigger>` blocks, to find debug services (telnetd, adbd, su, shells) and when
//! they run.
//!
//! A debug service fails when it starts by itself (not `disabled`: its class starts it)
//! or is started from a trigger that does not depend on a property (`on boot`,
//! `on init`, ...). A `disabled` one started only under `property:` triggers passes with
//! the triggers named (e.g. AOSP's `console` on `ro.debuggable=1`, adbd on
//! `sys.usb.config=*adb*`): those depend on the build's properties, checked elsewhere.
//! `import` lines are recorded, not followed (every .rc location is read anyway).

use crate::common::{FileSource, Finding, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};

/// Directories whose `*.rc` files init reads, plus the root's `init*.rc`.
pub const RC_DIRS: &[&str] = &[
    "/system/etc/init",
    "/system/etc/init/hw",
    "/vendor/etc/init",
    "/vendor/etc/init/hw",
    "/odm/etc/init",
    "/product/etc/init",
    "/system_ext/etc/init",
];

pub const MAX_RC_FILES: usize = 1_024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcService {
    pub name: String,
    pub program: String,
    pub args: Vec<String>,
    pub file: String,
    pub line: usize,
    pub class: Vec<String>,
    pub disabled: bool,
    pub oneshot: bool,
    pub user: Option<String>,
    pub seclabel: Option<String>,
}

/// `start <service>` in an `on` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcStart {
    pub service: String,
    pub trigger: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcFiles {
    pub files: Vec<String>,
    pub services: Vec<RcService>,
    pub starts: Vec<RcStart>,
    pub imports: Vec<(String, usize, String)>,
}

enum Block {
    None,
    Service(usize),
    On(String),
}

impl RcFiles {
    /// Add one `.rc` file.
    pub fn add_file(&mut self, file: &str, bytes: &[u8]) -> Result<(), ParseError> {
        let lines = text_lines(file, bytes, &Limits::default())?;
        let mut block = Block::None;
        let mut i = 0;
        while i < lines.len() {
            let line = i + 1;
            let mut l = lines[i].trim().to_string();
            while l.ends_with('\\') && i + 1 < lines.len() && l.len() < 64 * 1024 {
                l.pop();
                i += 1;
                l.push(' ');
                l.push_str(lines[i].trim());
            }
            i += 1;
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let w: Vec<&str> = l.split_whitespace().collect();
            match w[0] {
                "service" => {
                    if w.len() < 3 {
                        return Err(ParseError::at(
                            file,
                            line,
                            "service needs a name and a program",
                        ));
                    }
                    self.services.push(RcService {
                        name: w[1].to_string(),
                        program: w[2].to_string(),
                        args: w[3..].iter().map(|s| s.to_string()).collect(),
                        file: file.to_string(),
                        line,
                        class: vec!["default".into()],
                        disabled: false,
                        oneshot: false,
                        user: None,
                        seclabel: None,
                    });
                    block = Block::Service(self.services.len() - 1);
                }
                "on" => {
                    if w.len() < 2 {
                        return Err(ParseError::at(file, line, "on needs a trigger"));
                    }
                    block = Block::On(w[1..].join(" "));
                }
                "import" => {
                    self.imports
                        .push((file.to_string(), line, w[1..].join(" ")));
                    block = Block::None;
                }
                kw => match &block {
                    Block::Service(idx) => {
                        let s = &mut self.services[*idx];
                        match kw {
                            "class" => s.class = w[1..].iter().map(|x| x.to_string()).collect(),
                            "disabled" => s.disabled = true,
                            "oneshot" => s.oneshot = true,
                            "user" => s.user = w.get(1).map(|x| x.to_string()),
                            "seclabel" => s.seclabel = w.get(1).map(|x| x.to_string()),
                            _ => {}
                        }
                    }
                    Block::On(trigger) => {
                        if (kw == "start" || kw == "restart")
                            && let Some(name) = w.get(1)
                        {
                            self.starts.push(RcStart {
                                service: name.to_string(),
                                trigger: trigger.clone(),
                                file: file.to_string(),
                                line,
                            });
                        }
                    }
                    Block::None => {
                        return Err(ParseError::at(
                            file,
                            line,
                            format!(
                                "{:?} outside a service or on block",
                                kw.chars().take(40).collect::<String>()
                            ),
                        ));
                    }
                },
            }
        }
        self.files.push(file.to_string());
        Ok(())
    }
}

/// Read every init `.rc` file of a root (sorted per directory; bounded).
pub fn load_rc(src: &dyn FileSource) -> Result<RcFiles, ParseError> {
    let mut paths = Vec::new();
    let mut root_names = src
        .list_dir("/")
        .map_err(|e| ParseError::new("/", None, e))?;
    root_names.sort();
    for n in root_names {
        if n.starts_with("init") && n.ends_with(".rc") {
            paths.push(format!("/{n}"));
        }
    }
    for d in RC_DIRS {
        let mut names = src.list_dir(d).map_err(|e| ParseError::new(d, None, e))?;
        names.sort();
        for n in names.into_iter().filter(|n| n.ends_with(".rc")) {
            paths.push(format!("{d}/{n}"));
        }
    }
    if paths.len() > MAX_RC_FILES {
        return Err(ParseError::new(
            "/",
            None,
            format!("more than {MAX_RC_FILES} init .rc files"),
        ));
    }
    let mut rc = RcFiles::default();
    for p in paths {
        if let Some(b) = src.read(&p).map_err(|e| ParseError::new(&p, None, e))? {
            rc.add_file(&p, &b)?;
        }
    }
    Ok(rc)
}

/// Programs that make a service a debug service.
pub const DEBUG_PROGRAMS: &[&str] = &[
    "telnetd",
    "utelnetd",
    "adbd",
    "su",
    "sh",
    "ash",
    "bash",
    "mksh",
    "toybox-sh",
    "gdbserver",
];

fn debug_kind(s: &RcService) -> Option<String> {
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let b = base(&s.program);
    if DEBUG_PROGRAMS.contains(&b.as_str()) {
        return Some(b);
    }
    // `busybox telnetd`, `toybox sh`, `/system/bin/sh -c telnetd ...`.
    let args: Vec<String> = s.args.iter().map(|a| base(a)).collect();
    if matches!(b.as_str(), "busybox" | "toybox")
        && let Some(a) = args.first()
        && DEBUG_PROGRAMS.contains(&a.as_str())
    {
        return Some(a.clone());
    }
    None
}

/// Judge debug services (see the module documentation).
pub fn check_debug_services(rc: &RcFiles) -> Vec<Finding> {
    let c = "android.init_debug_services";
    let mut out = Vec::new();
    for s in &rc.services {
        let Some(kind) = debug_kind(s) else { continue };
        let starts: Vec<&RcStart> = rc.starts.iter().filter(|x| x.service == s.name).collect();
        let unconditional: Vec<&&RcStart> = starts
            .iter()
            .filter(|x| !x.trigger.contains("property:"))
            .collect();
        let who = format!(
            "service {} runs {} ({}{}{}{})",
            s.name,
            kind,
            format_args!("class {}", s.class.join(" ")),
            if s.disabled { ", disabled" } else { "" },
            if s.oneshot { ", oneshot" } else { "" },
            s.user
                .as_ref()
                .map(|u| format!(", user {u}"))
                .unwrap_or_default()
        );
        if !s.disabled {
            out.push(Finding::new(
                c,
                &format!("service.{}", s.name),
                &s.file,
                Some(s.line),
                false,
                format!("{who}: started with its class at boot"),
            ));
        } else if let Some(st) = unconditional.first() {
            out.push(Finding::new(
                c,
                &format!("service.{}", s.name),
                &st.file,
                Some(st.line),
                false,
                format!("{who}: started unconditionally `on {}`", st.trigger),
            ));
        } else {
            let triggers: Vec<String> = starts.iter().map(|x| x.trigger.clone()).collect();
            out.push(Finding::new(
                c,
                &format!("service.{}", s.name),
                &s.file,
                Some(s.line),
                true,
                if triggers.is_empty() {
                    format!("{who}: never started by an init trigger")
                } else {
                    format!(
                        "{who}: started only on property triggers ({})",
                        triggers.join("; ")
                    )
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn services_and_triggers() {
        let root = MemRoot::new()
            .with(
                "/init.rc",
                "import /init.${ro.hardware}.rc\non early-init\n    write /proc/sys/kernel/x 1\n\nservice console /system/bin/sh\n    class core\n    console\n    disabled\n    user shell\n\non property:ro.debuggable=1\n    start console\n\nservice adbd /system/bin/adbd --root_seclabel=u:r:su:s0\n    class core\n    socket adbd seqpacket 660 system system\n    disabled\n    seclabel u:r:adbd:s0\n\non property:sys.usb.config=adb\n    start adbd\n",
            )
            .with(
                "/vendor/etc/init/hw/init.tbox.rc",
                "service telnetd /vendor/bin/busybox telnetd -F -l /system/bin/sh\n    class late_start\n    user root\n    oneshot\n\nservice vdiag /vendor/bin/sh /vendor/bin/diag.sh\n    class main\n    disabled\n\non boot\n    start vdiag\n",
            );
        let rc = load_rc(&root).unwrap();
        assert_eq!(rc.services.len(), 4);
        assert_eq!(rc.imports.len(), 1);
        let f = check_debug_services(&rc);
        let v: Vec<(&str, bool)> = f.iter().map(|x| (x.setting.as_str(), x.passed)).collect();
        assert_eq!(
            v,
            vec![
                ("service.console", true),
                ("service.adbd", true),
                ("service.telnetd", false),
                ("service.vdiag", false)
            ]
        );
        assert!(
            f[2].message
                .contains("class late_start, oneshot, user root")
        );
        assert_eq!(f[3].line, Some(11));
        assert!(f[3].message.contains("on boot"));
        let mut r = RcFiles::default();
        assert_eq!(
            r.add_file("/x.rc", b"    class core\n").unwrap_err().line,
            Some(1)
        );
    }
}
