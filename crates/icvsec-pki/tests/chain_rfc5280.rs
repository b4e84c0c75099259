//! RFC 5280 §6 path validation: one test per rule family, certificates generated with
//! rcgen at test time.

use icvsec_pki::chain::{ChainErrorKind, ChainOptions, PathBuilder};
use icvsec_pki::{Certificate, parse_certificates, verify_chain};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, CustomExtension, DnType, GeneralSubtree, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};

/// 2026-06-01T00:00:00Z
const AS_OF: i64 = 1_780_272_000;

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn ca(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

fn leaf(names: &[&str]) -> CertificateParams {
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, names[0]);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

fn one(pem: &str) -> Certificate {
    parse_certificates(pem.as_bytes()).unwrap().remove(0)
}

struct Ca {
    cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

fn root(p: CertificateParams) -> Ca {
    let k = key();
    let c = p.self_signed(&k).unwrap();
    Ca {
        cert: one(&c.pem()),
        issuer: Issuer::new(p, k),
    }
}

fn sub(p: CertificateParams, by: &Ca) -> Ca {
    let k = key();
    let c = p.signed_by(&k, &by.issuer).unwrap();
    Ca {
        cert: one(&c.pem()),
        issuer: Issuer::new(p, k),
    }
}

fn issue(p: CertificateParams, by: &Ca) -> Certificate {
    one(&p.signed_by(&key(), &by.issuer).unwrap().pem())
}

fn kind(
    leaf: &Certificate,
    inter: &[Certificate],
    anchors: &[Certificate],
) -> Option<ChainErrorKind> {
    kind_opts(leaf, inter, anchors, &ChainOptions::default())
}

fn kind_opts(
    leaf: &Certificate,
    inter: &[Certificate],
    anchors: &[Certificate],
    o: &ChainOptions,
) -> Option<ChainErrorKind> {
    let v = verify_chain(leaf, inter, anchors, AS_OF, o);
    assert_eq!(v.valid, v.failure.is_none());
    if let Some(f) = &v.failure {
        assert!(
            f.clause.starts_with("RFC") || f.clause.starts_with("icvsec"),
            "{f:?}"
        );
    }
    v.failure.map(|f| f.kind)
}

fn nc(permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>) -> CertificateParams {
    let mut p = ca("Constrained CA");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: excluded,
    });
    p
}

#[test]
fn name_constraints_dns_ip_email_dirname() {
    let r = root(ca("NC Root"));
    let inter = sub(
        nc(
            vec![
                GeneralSubtree::DnsName("vehicle.oem.cn".into()),
                GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([10, 0, 0, 0], 8)),
                GeneralSubtree::Rfc822Name("oem.cn".into()),
            ],
            vec![GeneralSubtree::DnsName("bad.vehicle.oem.cn".into())],
        ),
        &r,
    );
    let anchors = [r.cert.clone()];
    let inters = [inter.cert.clone()];
    let ok = issue(leaf(&["tbox.vehicle.oem.cn"]), &inter);
    assert_eq!(kind(&ok, &inters, &anchors), None);
    for bad in [
        "tbox.other.cn",
        "x.bad.vehicle.oem.cn",
        "evilvehicle.oem.cn",
    ] {
        let c = issue(leaf(&[bad]), &inter);
        assert_eq!(
            kind(&c, &inters, &anchors),
            Some(ChainErrorKind::NameConstraints),
            "{bad}"
        );
    }
    let mut ip = leaf(&["tbox.vehicle.oem.cn"]);
    ip.subject_alt_names
        .push(SanType::IpAddress("192.168.1.1".parse().unwrap()));
    let c = issue(ip, &inter);
    let v = verify_chain(&c, &inters, &anchors, AS_OF, &ChainOptions::default());
    let f = v.failure.unwrap();
    assert_eq!(f.kind, ChainErrorKind::NameConstraints);
    assert_eq!(f.clause, "RFC 5280 6.1.3 (b)-(c)");
    assert_eq!(f.tried.as_deref(), Some("CN=Constrained CA"));
    let mut ip_ok = leaf(&["tbox.vehicle.oem.cn"]);
    ip_ok
        .subject_alt_names
        .push(SanType::IpAddress("10.1.2.3".parse().unwrap()));
    assert_eq!(kind(&issue(ip_ok, &inter), &inters, &anchors), None);
    let mut mail = leaf(&["tbox.vehicle.oem.cn"]);
    mail.subject_alt_names
        .push(SanType::Rfc822Name("ops@evil.cn".try_into().unwrap()));
    assert_eq!(
        kind(&issue(mail, &inter), &inters, &anchors),
        Some(ChainErrorKind::NameConstraints)
    );
    // The subject emailAddress attribute is an rfc822 name too (RFC 5280 4.2.1.10).
    let mut attr = leaf(&["tbox.vehicle.oem.cn"]);
    attr.distinguished_name.push(
        DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
        rcgen::DnValue::Ia5String("ops@evil.cn".try_into().unwrap()),
    );
    assert_eq!(
        kind(&issue(attr, &inter), &inters, &anchors),
        Some(ChainErrorKind::NameConstraints)
    );

    // Directory names: permitted O=OEM subtree.
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(DnType::OrganizationName, "OEM");
    let mut dir_ca = nc(vec![GeneralSubtree::DirectoryName(dn)], vec![]);
    dir_ca.distinguished_name = rcgen::DistinguishedName::new();
    dir_ca
        .distinguished_name
        .push(DnType::OrganizationName, "OEM");
    dir_ca.distinguished_name.push(DnType::CommonName, "Dir CA");
    let dir = sub(dir_ca, &r);
    let mut inside = leaf(&["a.vehicle.oem.cn"]);
    inside.distinguished_name = rcgen::DistinguishedName::new();
    inside
        .distinguished_name
        .push(DnType::OrganizationName, "oem"); // case-insensitive
    inside
        .distinguished_name
        .push(DnType::CommonName, "a.vehicle.oem.cn");
    let mut outside = leaf(&["b.vehicle.oem.cn"]);
    outside.distinguished_name = rcgen::DistinguishedName::new();
    outside
        .distinguished_name
        .push(DnType::OrganizationName, "Other");
    outside
        .distinguished_name
        .push(DnType::CommonName, "b.vehicle.oem.cn");
    let di = [dir.cert.clone()];
    assert_eq!(kind(&issue(inside, &dir), &di, &anchors), None);
    assert_eq!(
        kind(&issue(outside, &dir), &di, &anchors),
        Some(ChainErrorKind::NameConstraints)
    );
}

#[test]
fn self_issued_intermediate_is_exempt_from_name_constraints_and_pathlen() {
    // root -> CA "X" (pathLen 0, NC vehicle.oem.cn) -> CA "X" re-keyed (self-issued) -> leaf
    let r = root(ca("Root"));
    let mut x = nc(
        vec![GeneralSubtree::DnsName("vehicle.oem.cn".into())],
        vec![],
    );
    x.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    x.distinguished_name = rcgen::DistinguishedName::new();
    x.distinguished_name.push(DnType::CommonName, "X");
    let x1 = sub(x, &r);
    let mut x2p = ca("X");
    x2p.subject_alt_names
        .push(SanType::DnsName("outside.example".try_into().unwrap()));
    let x2 = sub(x2p, &x1);
    assert!(x2.cert.self_issued);
    let l = issue(leaf(&["t.vehicle.oem.cn"]), &x2);
    let inters = [x1.cert.clone(), x2.cert.clone()];
    assert_eq!(kind(&l, &inters, std::slice::from_ref(&r.cert)), None);
    // max_depth counts logical intermediates only.
    let o = ChainOptions {
        max_depth: Some(1),
        ..Default::default()
    };
    assert_eq!(
        kind_opts(&l, &inters, std::slice::from_ref(&r.cert), &o),
        None
    );
    // The leaf itself is never exempt.
    let bad = issue(leaf(&["t.elsewhere.cn"]), &x2);
    assert_eq!(
        kind(&bad, &inters, std::slice::from_ref(&r.cert)),
        Some(ChainErrorKind::NameConstraints)
    );
}

#[test]
fn path_length_and_key_usage_and_ca_bit() {
    let mut rp = ca("Root");
    rp.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let r = root(rp);
    let i1 = sub(ca("I1"), &r);
    let l = issue(leaf(&["a.oem.cn"]), &i1);
    // The anchor's pathLen 0 applies (RFC 5937); bare anchors ignore it (RFC 5280 6.1.1).
    let inter = std::slice::from_ref(&i1.cert);
    let anchors = std::slice::from_ref(&r.cert);
    assert_eq!(kind(&l, inter, anchors), Some(ChainErrorKind::PathLength));
    let bare = ChainOptions {
        bare_anchors: true,
        ..Default::default()
    };
    assert_eq!(kind_opts(&l, inter, anchors, &bare), None);
    // I1 pathLen 0 -> I2 -> leaf: I2 exceeds it.
    let r = root(ca("Root"));
    let mut p1 = ca("I1");
    p1.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let i1 = sub(p1, &r);
    let i2 = sub(ca("I2"), &i1);
    let l = issue(leaf(&["a.oem.cn"]), &i2);
    let inters = [i1.cert.clone(), i2.cert.clone()];
    let v = verify_chain(
        &l,
        &inters,
        std::slice::from_ref(&r.cert),
        AS_OF,
        &ChainOptions::default(),
    );
    let f = v.failure.unwrap();
    assert_eq!(f.kind, ChainErrorKind::PathLength);
    assert_eq!(f.child_subject, "CN=I2");
    assert_eq!(f.clause, "RFC 5280 6.1.4 (l)");
    // keyUsage without keyCertSign on an intermediate.
    let mut nk = ca("NoSign");
    nk.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let ns = sub(nk, &r);
    let l = issue(leaf(&["a.oem.cn"]), &ns);
    assert_eq!(
        kind(
            &l,
            std::slice::from_ref(&ns.cert),
            std::slice::from_ref(&r.cert)
        ),
        Some(ChainErrorKind::KeyUsage)
    );
    // A non-CA used as issuer.
    let mut ee = ca("NotCA");
    ee.is_ca = IsCa::ExplicitNoCa;
    ee.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let ee = sub(ee, &r);
    let l = issue(leaf(&["a.oem.cn"]), &ee);
    assert_eq!(
        kind(
            &l,
            std::slice::from_ref(&ee.cert),
            std::slice::from_ref(&r.cert)
        ),
        Some(ChainErrorKind::LeafUsedAsCa)
    );
}

fn critical_unknown() -> CustomExtension {
    let mut e =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55738, 666, 1], vec![0x05, 0x00]);
    e.set_criticality(true);
    e
}

#[test]
fn unknown_critical_extensions_serials_and_key_identifiers() {
    let r = root(ca("Root"));
    let anchors = std::slice::from_ref(&r.cert);
    let mut p = leaf(&["a.oem.cn"]);
    p.custom_extensions.push(critical_unknown());
    assert_eq!(
        kind(&issue(p, &r), &[], anchors),
        Some(ChainErrorKind::UnknownCriticalExtension)
    );
    let mut ip = ca("Crit CA");
    ip.custom_extensions.push(critical_unknown());
    let i = sub(ip, &r);
    let l = issue(leaf(&["a.oem.cn"]), &i);
    assert_eq!(
        kind(&l, std::slice::from_ref(&i.cert), anchors),
        Some(ChainErrorKind::UnknownCriticalExtension)
    );
    // A non-critical unknown extension is fine.
    let mut fine = leaf(&["a.oem.cn"]);
    fine.custom_extensions
        .push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 4, 1, 55738, 666, 2],
            vec![0x05, 0x00],
        ));
    assert_eq!(kind(&issue(fine, &r), &[], anchors), None);
    // Serial zero and 21 significant octets.
    let mut z = leaf(&["a.oem.cn"]);
    z.serial_number = Some(SerialNumber::from(vec![0u8]));
    assert_eq!(
        kind(&issue(z, &r), &[], anchors),
        Some(ChainErrorKind::BadSerial)
    );
    let mut long = leaf(&["a.oem.cn"]);
    long.serial_number = Some(SerialNumber::from(vec![0x11u8; 21]));
    assert_eq!(
        kind(&issue(long, &r), &[], anchors),
        Some(ChainErrorKind::BadSerial)
    );
    let mut twenty = leaf(&["a.oem.cn"]);
    twenty.serial_number = Some(SerialNumber::from(vec![0x11u8; 20]));
    assert_eq!(kind(&issue(twenty, &r), &[], anchors), None);
    // AKI missing on a leaf that is not self-signed; lenient option accepts it.
    let mut no_aki = leaf(&["a.oem.cn"]);
    no_aki.use_authority_key_identifier_extension = false;
    let c = issue(no_aki, &r);
    assert_eq!(kind(&c, &[], anchors), Some(ChainErrorKind::KeyIdentifier));
    let lenient = ChainOptions {
        lenient_key_identifiers: true,
        ..Default::default()
    };
    assert_eq!(kind_opts(&c, &[], anchors, &lenient), None);
}

#[test]
fn trust_anchors_are_judged_by_anchor_checks_unless_bare() {
    let l_for = |r: &Ca| issue(leaf(&["a.oem.cn"]), r);
    let bare = ChainOptions {
        bare_anchors: true,
        ..Default::default()
    };
    // Expired anchor.
    let mut ep = ca("Old Root");
    ep.not_before = rcgen::date_time_ymd(2015, 1, 1);
    ep.not_after = rcgen::date_time_ymd(2026, 1, 1);
    let e = root(ep);
    let l = l_for(&e);
    let v = verify_chain(
        &l,
        &[],
        std::slice::from_ref(&e.cert),
        AS_OF,
        &ChainOptions::default(),
    );
    let f = v.failure.unwrap();
    assert_eq!(f.kind, ChainErrorKind::Expired);
    assert_eq!(f.child_subject, "CN=Old Root");
    assert!(f.message.contains("trust anchor"), "{}", f.message);
    assert_eq!(
        kind_opts(&l, &[], std::slice::from_ref(&e.cert), &bare),
        None
    );
    // v3 anchor without basicConstraints.
    let mut nb = ca("No BC Root");
    nb.is_ca = IsCa::NoCa;
    let k = key();
    let nbc = one(&nb.self_signed(&k).unwrap().pem());
    nb.is_ca = IsCa::Ca(BasicConstraints::Unconstrained); // rcgen needs a CA issuer
    let nbi = Ca {
        cert: nbc,
        issuer: Issuer::new(nb, k),
    };
    let l = l_for(&nbi);
    assert_eq!(
        kind(&l, &[], std::slice::from_ref(&nbi.cert)),
        Some(ChainErrorKind::BadAnchor)
    );
    assert_eq!(
        kind_opts(&l, &[], std::slice::from_ref(&nbi.cert), &bare),
        None
    );
    // Anchor with an unknown critical extension.
    let mut cp = ca("Crit Root");
    cp.custom_extensions.push(critical_unknown());
    let c = root(cp);
    assert_eq!(
        kind(&l_for(&c), &[], std::slice::from_ref(&c.cert)),
        Some(ChainErrorKind::UnknownCriticalExtension)
    );
    // An unrelated broken anchor does not matter.
    let good = root(ca("Good Root"));
    let anchors = [c.cert.clone(), good.cert.clone()];
    assert_eq!(kind(&l_for(&good), &[], &anchors), None);
}

#[test]
fn policies_require_explicit_policy() {
    // certificatePolicies { policyIdentifier 1.3.6.1.4.1.55738.1 }
    let pol = |oid_content: &[u8]| {
        let mut o = vec![0x06, oid_content.len() as u8];
        o.extend_from_slice(oid_content);
        let mut info = vec![0x30, o.len() as u8];
        info.extend(o);
        let mut seq = vec![0x30, info.len() as u8];
        seq.extend(info);
        CustomExtension::from_oid_content(&[2, 5, 29, 32], seq)
    };
    let p1: &[u8] = &[0x2b, 6, 1, 4, 1, 0x83, 0xb2, 0x7a, 1]; // 1.3.6.1.4.1.55738.1
    let p2: &[u8] = &[0x2b, 6, 1, 4, 1, 0x83, 0xb2, 0x7a, 2];
    let r = root(ca("Root"));
    let mut ip = ca("Policy CA");
    ip.custom_extensions.push(pol(p1));
    // policyConstraints { requireExplicitPolicy 0 }
    let mut pc =
        CustomExtension::from_oid_content(&[2, 5, 29, 36], vec![0x30, 0x03, 0x80, 0x01, 0x00]);
    pc.set_criticality(true);
    ip.custom_extensions.push(pc);
    let i = sub(ip, &r);
    let mut good = leaf(&["a.oem.cn"]);
    good.custom_extensions.push(pol(p1));
    let mut other = leaf(&["a.oem.cn"]);
    other.custom_extensions.push(pol(p2));
    let none = leaf(&["a.oem.cn"]);
    let inters = std::slice::from_ref(&i.cert);
    let anchors = std::slice::from_ref(&r.cert);
    assert_eq!(kind(&issue(good, &i), inters, anchors), None);
    assert_eq!(
        kind(&issue(other, &i), inters, anchors),
        Some(ChainErrorKind::Policy)
    );
    assert_eq!(
        kind(&issue(none, &i), inters, anchors),
        Some(ChainErrorKind::Policy)
    );
    // initial-explicit-policy with a user policy set that excludes p1.
    let mut g2 = leaf(&["a.oem.cn"]);
    g2.custom_extensions.push(pol(p1));
    let o = ChainOptions {
        require_explicit_policy: true,
        initial_policies: vec!["1.3.6.1.4.1.55738.2".into()],
        ..Default::default()
    };
    assert_eq!(
        kind_opts(&issue(g2, &i), inters, anchors, &o),
        Some(ChainErrorKind::Policy)
    );
}

#[test]
fn hostname_needs_subject_alt_name() {
    let r = root(ca("Root"));
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "tbox.oem.cn");
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    let c = issue(p, &r);
    let o = ChainOptions {
        hostname: Some("tbox.oem.cn".into()),
        ..Default::default()
    };
    let v = verify_chain(&c, &[], std::slice::from_ref(&r.cert), AS_OF, &o);
    let f = v.failure.unwrap();
    assert_eq!(f.kind, ChainErrorKind::HostnameMismatch);
    assert!(f.message.contains("no subjectAltName"), "{}", f.message);
    let w = issue(leaf(&["*.oem.cn"]), &r);
    assert_eq!(kind_opts(&w, &[], std::slice::from_ref(&r.cert), &o), None);
    let deep = ChainOptions {
        hostname: Some("a.tbox.oem.cn".into()),
        ..Default::default()
    };
    assert_eq!(
        kind_opts(&w, &[], std::slice::from_ref(&r.cert), &deep),
        Some(ChainErrorKind::HostnameMismatch)
    );
}

#[test]
fn cycles_and_build_limits_are_errors() {
    // Two CAs cross-signing each other, no anchor: the search ends with UnknownIssuer /
    // BuildLimit, never loops.
    let ka = key();
    let kb = key();
    let pa = ca("A");
    let pb = ca("B");
    let ia = Issuer::new(pa.clone(), ka);
    let ib = Issuer::new(pb.clone(), kb);
    let kb2 = key();
    let a_by_b = one(&pa.signed_by(&kb2, &ib).unwrap().pem());
    let b_by_a = one(&pb.signed_by(&kb2, &ia).unwrap().pem());
    let l = one(&leaf(&["x.oem.cn"]).signed_by(&key(), &ia).unwrap().pem());
    let unrelated = root(ca("Unrelated"));
    let v = verify_chain(
        &l,
        &[a_by_b, b_by_a],
        std::slice::from_ref(&unrelated.cert),
        AS_OF,
        &ChainOptions::default(),
    );
    assert!(!v.valid);
    assert!(matches!(
        v.failure.unwrap().kind,
        ChainErrorKind::UnknownIssuer | ChainErrorKind::BadSignature
    ));
}

#[test]
fn two_thousand_distinct_anchors_index_by_name() {
    // 2,000 distinct CA certificates in the store; the leaf's issuer is the last one.
    // The index makes this linear in the store size (see examples/chain-bench.rs for 10k).
    let mut anchors = Vec::with_capacity(2000);
    let mut last = None;
    for i in 0..2000 {
        let r = root(ca(&format!("Bulk Root {i:05}")));
        anchors.push(r.cert.clone());
        last = Some(r);
    }
    let last = last.unwrap();
    let l = issue(leaf(&["bulk.oem.cn"]), &last);
    let b = PathBuilder::new(&[], &anchors);
    let v = b.verify(&l, AS_OF, &ChainOptions::default());
    assert!(v.valid, "{v:?}");
    assert_eq!(
        v.path.last().map(String::as_str),
        Some("CN=Bulk Root 01999")
    );
    // A leaf of an unknown issuer fails with UnknownIssuer naming the counts.
    let stranger = root(ca("Stranger"));
    let s = issue(leaf(&["s.oem.cn"]), &stranger);
    let f = b
        .verify(&s, AS_OF, &ChainOptions::default())
        .failure
        .unwrap();
    assert_eq!(f.kind, ChainErrorKind::UnknownIssuer);
    assert!(f.message.contains("2000 anchors"), "{}", f.message);
}

#[test]
fn name_constraint_work_is_bounded() {
    // 1,024 permitted subtrees and a leaf with 1,025 SANs (+ its subject DN): more than
    // MAX_NAME_CHECKS comparisons, reported as BuildLimit instead of computed.
    let r = root(ca("Root"));
    let subtrees: Vec<GeneralSubtree> = (0..1024)
        .map(|i| GeneralSubtree::DnsName(format!("d{i}.oem.cn")))
        .collect();
    let i = sub(nc(subtrees, vec![]), &r);
    let names: Vec<String> = (0..1025).map(|k| format!("h{k}.d0.oem.cn")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let l = issue(leaf(&refs), &i);
    let v = verify_chain(
        &l,
        std::slice::from_ref(&i.cert),
        std::slice::from_ref(&r.cert),
        AS_OF,
        &ChainOptions::default(),
    );
    let f = v.failure.unwrap();
    assert_eq!(f.kind, ChainErrorKind::BuildLimit, "{f:?}");
    assert!(f.message.contains("constraint subtrees"), "{}", f.message);
    // 100 SANs under the same constraints are evaluated (and permitted).
    let l = issue(leaf(&refs[..100]), &i);
    assert_eq!(
        kind(
            &l,
            std::slice::from_ref(&i.cert),
            std::slice::from_ref(&r.cert)
        ),
        None
    );
}
