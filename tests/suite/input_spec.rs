//! Parsing of buf's input syntax `location#key=value,...`: every key, format detection, every error.

use protoforge::input::{Compression, Format, InputSpec};

#[test]
fn format_detection() {
    let cases: &[(&str, Format, Compression)] = &[
        ("", Format::Dir, Compression::None),
        (".", Format::Dir, Compression::None),
        ("proto", Format::Dir, Compression::None),
        ("a/b/", Format::Dir, Compression::None),
        ("foo.proto", Format::ProtoFile, Compression::None),
        (".git", Format::Git, Compression::None),
        ("../repo/.git", Format::Git, Compression::None),
        ("repo.git/", Format::Git, Compression::None),
        ("src.tar", Format::Tar, Compression::None),
        ("src.tar.gz", Format::Tar, Compression::Gzip),
        ("src.tgz", Format::Tar, Compression::Gzip),
        ("src.tar.zst", Format::Tar, Compression::Zstd),
        ("src.zip", Format::Zip, Compression::None),
        ("image.binpb", Format::Binpb, Compression::None),
        ("image.bin", Format::Binpb, Compression::None),
        ("image.binpb.gz", Format::Binpb, Compression::Gzip),
        ("image.bin.gz", Format::Binpb, Compression::Gzip),
        ("image.json", Format::Json, Compression::None),
        ("image.json.gz", Format::Json, Compression::Gzip),
        ("image.txtpb", Format::Txtpb, Compression::None),
        ("-", Format::Binpb, Compression::None),
    ];
    for (input, format, compression) in cases {
        let spec = InputSpec::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(spec.format, *format, "{input}");
        assert_eq!(spec.compression, *compression, "{input}");
    }
    assert_eq!(InputSpec::parse("").unwrap().location, ".");
}

#[test]
fn every_key() {
    let s = InputSpec::parse(
        ".git#branch=main,depth=50,recurse_submodules=true,subdir=proto/./v1/,filter=blob:none",
    )
    .unwrap();
    assert_eq!(s.format, Format::Git);
    assert_eq!(s.location, ".git");
    assert_eq!(s.git.branch.as_deref(), Some("main"));
    assert_eq!(s.git.depth, Some(50));
    assert!(s.git.recurse_submodules);
    assert_eq!(s.git.filter.as_deref(), Some("blob:none"));
    assert_eq!(s.subdir.as_deref(), Some("proto/v1"));

    let s = InputSpec::parse(".git#tag=v1.2.0").unwrap();
    assert_eq!(s.git.tag.as_deref(), Some("v1.2.0"));
    assert_eq!(s.git.describe(), "tag \"v1.2.0\"");
    let s = InputSpec::parse(".git#ref=HEAD~1").unwrap();
    assert_eq!(s.git.ref_.as_deref(), Some("HEAD~1"));
    let s = InputSpec::parse(".git#branch=main,ref=HEAD~2").unwrap();
    assert_eq!(
        (s.git.branch.as_deref(), s.git.ref_.as_deref()),
        (Some("main"), Some("HEAD~2"))
    );
    let s = InputSpec::parse(".git#commit=abc123").unwrap();
    assert_eq!(s.git.commit.as_deref(), Some("abc123"));
    assert_eq!(InputSpec::parse(".git").unwrap().git.describe(), "HEAD");
    let s = InputSpec::parse(".git#subdir=.").unwrap();
    assert_eq!(s.subdir, None);
    let s = InputSpec::parse(".git#subdir=a/../b").unwrap();
    assert_eq!(s.subdir.as_deref(), Some("b"));

    let s = InputSpec::parse("src.tar.gz#strip_components=2,subdir=proto").unwrap();
    assert_eq!(
        (s.strip_components, s.subdir.as_deref()),
        (2, Some("proto"))
    );
    let s = InputSpec::parse("archive#format=tar,compression=gzip").unwrap();
    assert_eq!((s.format, s.compression), (Format::Tar, Compression::Gzip));
    let s = InputSpec::parse("src.tar.gz#compression=none").unwrap();
    assert_eq!(s.compression, Compression::None);
    let s = InputSpec::parse("src.zip#strip_components=1").unwrap();
    assert_eq!((s.format, s.strip_components), (Format::Zip, 1));

    let s = InputSpec::parse("a/b.proto#include_package_files=true").unwrap();
    assert!(s.include_package_files);
    assert!(
        !InputSpec::parse("a/b.proto#include_package_files=false")
            .unwrap()
            .include_package_files
    );

    // format= overrides detection, in every direction.
    for (input, format) in [
        ("thing#format=dir", Format::Dir),
        ("repo#format=git", Format::Git),
        ("x.proto#format=dir", Format::Dir),
        ("blob#format=tar", Format::Tar),
        ("blob#format=zip", Format::Zip),
        ("blob#format=binpb", Format::Binpb),
        ("blob#format=bin", Format::Binpb),
        ("blob#format=json", Format::Json),
        ("-#format=json", Format::Json),
        ("thing.txt#format=protofile", Format::ProtoFile),
    ] {
        assert_eq!(InputSpec::parse(input).unwrap().format, format, "{input}");
    }
    // A compression suffix still counts with an explicit format.
    assert_eq!(
        InputSpec::parse("x.gz#format=json").unwrap().compression,
        Compression::Gzip
    );
    assert_eq!(
        InputSpec::parse("x.json#compression=gzip")
            .unwrap()
            .compression,
        Compression::Gzip
    );
}

#[test]
fn errors() {
    // (input, a fragment the message must contain)
    let cases: &[(&str, &str)] = &[
        ("#format=git", "starts with '#'"),
        ("x#", "nothing after '#'"),
        ("x#foo=bar", "unknown key \"foo\""),
        ("x#b", "invalid option \"b\""),
        ("x#=b", "invalid option \"=b\""),
        ("x#b=", "invalid option \"b=\""),
        (".git#branch=a,branch=b", "duplicate key \"branch\""),
        ("foo#format=bogus", "unknown format \"bogus\""),
        ("x.tar#compression=lz4", "unknown compression \"lz4\""),
        (".#branch=main", "git options"),
        (".#tag=v1", "git options"),
        (".#ref=HEAD", "git options"),
        (".#depth=1", "git options"),
        ("x.tar#branch=main", "git options"),
        (".#subdir=a", "subdir options"),
        ("x.binpb#subdir=a", "subdir options"),
        ("x.proto#subdir=a", "subdir options"),
        (".#strip_components=1", "archive options"),
        (".git#strip_components=1", "archive options"),
        (".#include_package_files=true", "include_package_files"),
        (".git#include_package_files=true", "include_package_files"),
        (".#compression=gzip", "compression options"),
        (".git#compression=gzip", "compression options"),
        (
            "x.zip#compression=gzip",
            "cannot specify compression for zip",
        ),
        (".git#tag=a,branch=b", "only one of"),
        (".git#commit=a,tag=b", "only one of"),
        (".git#ref=a,tag=b", "cannot be combined"),
        (".git#depth=x", "could not parse depth value \"x\""),
        (".git#depth=0", "depth must be greater than 0"),
        (
            ".git#recurse_submodules=maybe",
            "could not parse recurse_submodules value \"maybe\"",
        ),
        (
            "x.tar#strip_components=-1",
            "could not parse strip_components value \"-1\"",
        ),
        (
            "x.tar#strip_components=abc",
            "could not parse strip_components value \"abc\"",
        ),
        ("x.tar#subdir=../x", "outside"),
        ("x.tar#subdir=/abs", "must be relative"),
        (
            "x.proto#include_package_files=yes",
            "could not parse include_package_files",
        ),
        ("https://github.com/acme/x.git", "never uses the network"),
        ("git@github.com:acme/x.git", "never uses the network"),
    ];
    for (input, fragment) in cases {
        let err = match InputSpec::parse(input) {
            Ok(spec) => panic!("{input}: expected an error, got {spec:?}"),
            Err(e) => e,
        };
        let message = err.to_string();
        assert!(
            message.contains(fragment),
            "{input}: {message:?} lacks {fragment:?}"
        );
        assert!(
            message.contains(&format!("input \"{input}\"")),
            "{input}: {message:?} does not name the input"
        );
        assert!(err.help_text().is_some(), "{input}: no help");
    }
}
