//! Hostile and broken inputs: every one is an error with its place, never a panic,
//! a hang or unbounded allocation.

use icvsec_vnet::arxml::{ArxmlSet, parse_arxml};
use icvsec_vnet::dbc::parse_dbc;
use icvsec_vnet::{ErrorKind, Limits, VnetError};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/vnet/");

fn arxml_err(text: &str) -> VnetError {
    parse_arxml("bad.arxml", text.as_bytes(), &Limits::default()).expect_err("must be refused")
}

fn wrap(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">\n<AR-PACKAGES><AR-PACKAGE><SHORT-NAME>P</SHORT-NAME><ELEMENTS>\n{inner}\n</ELEMENTS></AR-PACKAGE></AR-PACKAGES>\n</AUTOSAR>\n"
    )
}

#[test]
fn not_well_formed_xml_has_line_and_column() {
    let e = arxml_err("<AUTOSAR>\n  <AR-PACKAGES>\n    <X></Y>\n  </AR-PACKAGES>\n</AUTOSAR>\n");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.file, "bad.arxml");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.col.is_some());
    assert!(e.to_string().starts_with("bad.arxml:3:"), "{e}");

    let e = arxml_err("<AUTOSAR>\n  <AR-PACKAGES>\n");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(
        e.message
            .contains("end of file inside <AR-PACKAGES> opened at 2:3"),
        "{e}"
    );

    let e = arxml_err("<AUTOSAR/>\n<AUTOSAR/>\n");
    assert_eq!((e.line, e.kind), (Some(2), ErrorKind::Syntax));
    let e = arxml_err("");
    assert!(e.message.contains("no root element"), "{e}");
    let e = arxml_err("<AUTOSAR a='1' a='2'><X-REF a='1' a='2'>/x</X-REF></AUTOSAR>");
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    let e = arxml_err("<AUTOSAR>\n<A b=\"1\" b=\"2\"/></AUTOSAR>");
    assert_eq!((e.kind, e.line), (ErrorKind::Syntax, Some(2)), "{e}");
    let e = arxml_err("<AUTOSAR><A b=/></AUTOSAR>");
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    let e = arxml_err("<AUTOSAR><!-- a -- b --></AUTOSAR>");
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    let e = arxml_err("<ROOT/>");
    assert!(e.message.contains("not <AUTOSAR>"), "{e}");
}

#[test]
fn dtd_and_entities_are_refused() {
    // Billion laughs: refused at the DOCTYPE, nothing expanded.
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<AUTOSAR>&lol2;</AUTOSAR>\n";
    let e = arxml_err(text);
    assert_eq!((e.kind, e.line), (ErrorKind::Refused, Some(2)), "{e}");
    // External entity.
    let e =
        arxml_err("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><AUTOSAR>&x;</AUTOSAR>");
    assert_eq!(e.kind, ErrorKind::Refused);
    // Undefined entity without a DTD.
    let e = arxml_err("<AUTOSAR>\n<A>&x;</A></AUTOSAR>");
    assert_eq!((e.kind, e.line), (ErrorKind::Refused, Some(2)), "{e}");
    // Predefined and character references are fine.
    let ok = wrap("<I-SIGNAL-I-PDU><SHORT-NAME>A&amp;B&#x43;&#68;</SHORT-NAME></I-SIGNAL-I-PDU>");
    let f = parse_arxml("ok.arxml", ok.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(f.pdus[0].name, "A&BCD");
    let e = arxml_err("<AUTOSAR>&#0;</AUTOSAR>");
    assert_eq!(e.kind, ErrorKind::Syntax, "{e}");
    let e = arxml_err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><AUTOSAR/>");
    assert!(e.message.contains("not UTF-8"), "{e}");
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 100_000;
    let text = format!(
        "<AUTOSAR>{}{}</AUTOSAR>",
        "<A>".repeat(depth),
        "</A>".repeat(depth)
    );
    let e = arxml_err(&text);
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("deeper than the limit of 256"), "{e}");
    // Exactly at the limit is accepted.
    let ok = format!(
        "<AUTOSAR>{}{}</AUTOSAR>",
        "<A>".repeat(255),
        "</A>".repeat(255)
    );
    assert!(parse_arxml("ok.arxml", ok.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn size_count_and_text_bounds() {
    let limits = Limits {
        max_elements: 10,
        ..Limits::default()
    };
    let text = format!("<AUTOSAR>{}</AUTOSAR>", "<A/>".repeat(20));
    let e = parse_arxml("big.arxml", text.as_bytes(), &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("more than 10 elements"), "{e}");

    let limits = Limits {
        max_arxml_bytes: 50,
        ..Limits::default()
    };
    let e = parse_arxml("big.arxml", text.as_bytes(), &limits).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Limit, None));

    let limits = Limits {
        max_text_bytes: 16,
        ..Limits::default()
    };
    let text = format!("<AUTOSAR><A>{}</A></AUTOSAR>", "x".repeat(17));
    let e = parse_arxml("big.arxml", text.as_bytes(), &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
    // Many small entity references count towards the text bound too.
    let text = format!("<AUTOSAR><A>{}</A></AUTOSAR>", "&amp;".repeat(17));
    let e = parse_arxml("big.arxml", text.as_bytes(), &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
}

#[test]
fn invalid_utf8_is_located() {
    let mut b = b"<AUTOSAR>\n<A>ok</A>\n<B>".to_vec();
    b.extend_from_slice(&[0xFF, 0xFE]);
    b.extend_from_slice(b"</B></AUTOSAR>");
    let e = parse_arxml("bin.arxml", &b, &Limits::default()).unwrap_err();
    assert_eq!(
        (e.kind, e.line, e.col),
        (ErrorKind::Syntax, Some(3), Some(4))
    );
}

#[test]
fn missing_ref_target_is_an_error_with_its_place() {
    let text = wrap(
        "<SECURED-I-PDU><SHORT-NAME>S</SHORT-NAME>\n<AUTHENTICATION-PROPS-REF DEST=\"SECURE-COMMUNICATION-AUTHENTICATION-PROPS\">/P/Nowhere</AUTHENTICATION-PROPS-REF>\n<PAYLOAD-REF DEST=\"PDU-TRIGGERING\">rel/Path</PAYLOAD-REF>\n</SECURED-I-PDU>",
    );
    let f = parse_arxml("ref.arxml", text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(f.errors.len(), 2, "{:?}", f.errors);
    let e = &f.errors[0];
    assert_eq!(e.kind, ErrorKind::DanglingReference);
    assert_eq!((e.line, e.col), (Some(5), Some(1)));
    assert_eq!(e.path.as_deref(), Some("/P/S"));
    assert!(e.message.contains("/P/Nowhere"), "{e}");
    assert!(
        e.message
            .contains("SECURE-COMMUNICATION-AUTHENTICATION-PROPS"),
        "{e}"
    );
    assert!(
        f.errors[1].message.contains("relative reference"),
        "{}",
        f.errors[1]
    );
    // The fact is still there, without what the dangling reference would have given.
    assert_eq!(f.secoc.len(), 1);
    assert_eq!(f.secoc[0].mac_bits, None);
    assert_eq!(f.secoc[0].authentic_pdu, None);
}

#[test]
fn bad_values_are_errors_with_their_place() {
    let text = wrap(
        "<SECURED-I-PDU><SHORT-NAME>S</SHORT-NAME><SECURE-COMMUNICATION-PROPS>\n<AUTH-INFO-TX-LENGTH>lots</AUTH-INFO-TX-LENGTH>\n<FRESHNESS-VALUE-LENGTH>99999999999</FRESHNESS-VALUE-LENGTH>\n<USE-FRESHNESS-TIMESTAMP>maybe</USE-FRESHNESS-TIMESTAMP>\n</SECURE-COMMUNICATION-PROPS></SECURED-I-PDU>\n<DIAGNOSTIC-SECURITY-LEVEL><SHORT-NAME>L</SHORT-NAME><SECURITY-DELAY-TIME>-3</SECURITY-DELAY-TIME></DIAGNOSTIC-SECURITY-LEVEL>",
    );
    let f = parse_arxml("val.arxml", text.as_bytes(), &Limits::default()).unwrap();
    let got: Vec<(ErrorKind, Option<usize>)> = f.errors.iter().map(|e| (e.kind, e.line)).collect();
    assert_eq!(
        got,
        vec![
            (ErrorKind::BadValue, Some(5)),
            (ErrorKind::BadValue, Some(6)),
            (ErrorKind::BadValue, Some(7)),
            (ErrorKind::BadValue, Some(9)),
        ],
        "{:?}",
        f.errors
    );
    assert_eq!(f.secoc[0].mac_bits, None);
    assert_eq!(f.security_levels[0].delay_ms, None);
}

#[test]
fn arxml_prefixes_and_mutations_never_panic() {
    let full = std::fs::read(format!("{DIR}adas-ecu-extract.arxml")).unwrap();
    for cut in (0..full.len()).step_by(97) {
        let _ = parse_arxml("cut.arxml", &full[..cut], &Limits::default());
    }
    // Byte flips at spread positions.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut b = full.clone();
        let i = (seed as usize) % b.len();
        b[i] = (seed >> 32) as u8;
        let _ = parse_arxml("flip.arxml", &b, &Limits::default());
    }
    // A set with a failing file keeps its good files.
    let mut set = ArxmlSet::new(Limits::default());
    set.add_file("good.arxml", &full).unwrap();
    assert!(set.add_file("bad.arxml", b"<AUTOSAR>").is_err());
    assert_eq!(set.facts().secoc.len(), 3);
}

fn dbc_err(text: &str) -> VnetError {
    parse_dbc("bad.dbc", text.as_bytes(), None, &Limits::default()).expect_err("must fail")
}

#[test]
fn dbc_syntax_errors_have_line_and_column() {
    let e = dbc_err(
        "VERSION \"\"\n\nBU_: A B\n\nBO_ 100 Msg: 8 A\n SG_ Sig : 0|8@1+ (1,0) [0|255 \"\" B\n",
    );
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.line, Some(6), "{e}");
    assert!(e.col.is_some());
    assert!(e.to_string().starts_with("bad.dbc:6:"), "{e}");
    let e = dbc_err("VERSION \"\"\nBO_ x Msg: 8 A\n");
    assert_eq!(e.line, Some(2), "{e}");
    let e = dbc_err("VERSION \"unterminated\nBU_: A\n");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.line.is_some(), "{e}");
    // An id beyond 32 bits.
    let e = dbc_err("VERSION \"\"\n\nBU_: A\n\nBO_ 99999999999 Msg: 8 A\n");
    assert_eq!(e.kind, ErrorKind::Syntax);
}

#[test]
fn dbc_bounds() {
    let mut text = String::from("VERSION \"\"\n\nBU_: A\n\n");
    for i in 0..20 {
        text.push_str(&format!(
            "BO_ {i} M{i}: 8 A\n SG_ S{i} : 0|8@1+ (1,0) [0|1] \"\" A\n\n"
        ));
    }
    let limits = Limits {
        max_dbc_messages: 10,
        ..Limits::default()
    };
    let e = parse_dbc("many.dbc", text.as_bytes(), None, &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    let limits = Limits {
        max_dbc_signals: 10,
        ..Limits::default()
    };
    let e = parse_dbc("many.dbc", text.as_bytes(), None, &limits).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    let limits = Limits {
        max_dbc_bytes: 10,
        ..Limits::default()
    };
    let e = parse_dbc("many.dbc", text.as_bytes(), None, &limits).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Limit, None));
    assert!(parse_dbc("many.dbc", text.as_bytes(), None, &Limits::default()).is_ok());
}

#[test]
fn dbc_prefixes_and_garbage_never_panic() {
    let full = std::fs::read(format!("{DIR}powertrain.dbc")).unwrap();
    for cut in (0..full.len()).step_by(13) {
        let _ = parse_dbc("cut.dbc", &full[..cut], None, &Limits::default());
    }
    let _ = parse_dbc(
        "bin.dbc",
        &[0xFF, 0x00, 0x80, 0x22],
        None,
        &Limits::default(),
    );
    let deep = format!("VERSION \"\"\nCM_ \"{}\";\n", "(".repeat(100_000));
    let _ = parse_dbc("deep.dbc", deep.as_bytes(), None, &Limits::default());
}
