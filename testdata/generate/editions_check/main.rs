//! Checks the crate generated from testdata/generate/editions: field types (at compile time) and
//! the wire encoding each field's resolved features call for (bytes written by hand from the
//! features). Built and run by tests/suite/generate_build.rs; exits non-zero on a mismatch.

use std::collections::HashMap;

use feat_v1::feat::v1::scalars::{Choice, Inner};
use feat_v1::feat::v1::{Closed, Forest, Open, Scalars, Tree};
use prost::Message;

/// The field types the features imply: implicit presence -> `T`, explicit -> `Option<T>`,
/// LEGACY_REQUIRED -> `T`; delimited (group) fields keep the message types.
#[allow(clippy::type_complexity)]
fn field_types(s: Scalars, t: Tree, f: Forest) {
    let _: i32 = s.implicit_int;
    let _: Option<i32> = s.explicit_int;
    let _: String = s.implicit_str;
    let _: Option<String> = s.explicit_str;
    let _: i32 = s.required_int;
    let _: i32 = s.open_enum;
    let _: Option<i32> = s.closed_enum;
    let _: Vec<i32> = s.expanded;
    let _: Vec<i32> = s.packed;
    let _: Vec<i32> = s.packed_enums;
    let _: Vec<String> = s.names;
    let _: Option<i64> = s.with_default;
    let _: Option<Inner> = s.child;
    let _: Option<Inner> = s.delimited_child;
    let _: Vec<Inner> = s.delimited_list;
    let _: HashMap<String, Inner> = s.by_name;
    let _: Option<Choice> = s.choice;
    let _: Option<i32> = t.value;
    let _: Option<Box<Tree>> = t.left;
    let _: Option<Box<Forest>> = t.forest;
    let _: HashMap<String, Tree> = t.index;
    let _: Vec<i32> = t.ids;
    let _: Vec<Tree> = t.children;
    let _: Option<Box<Tree>> = f.first;
}

fn inner() -> Inner {
    Inner { x: 1 }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let _ = field_types;
    let failures = std::cell::Cell::new(0);
    let fail = || failures.set(failures.get() + 1);
    let check = |what: &str, bytes: Vec<u8>, want: &str| {
        let got = hex(&bytes);
        let want = want.replace(' ', "");
        if got == want {
            println!("{what}: ok");
        } else {
            println!("{what}: FAILED: got {got}, want {want}");
            fail();
        }
    };
    // `required_int` (LEGACY_REQUIRED, field 5) is always written: `28 00`.
    let s = |f: fn(&mut Scalars)| {
        let mut m = Scalars::default();
        f(&mut m);
        m.encode_to_vec()
    };
    check("required always written", s(|_| {}), "2800");
    check("implicit zero not written", s(|m| m.implicit_int = 0), "2800");
    check("implicit set", s(|m| m.implicit_int = 5), "0805 2800");
    check("explicit zero written", s(|m| m.explicit_int = Some(0)), "1000 2800");
    check("explicit empty string written", s(|m| m.explicit_str = Some(String::new())), "2200 2800");
    check("closed enum", s(|m| m.closed_enum = Some(Closed::Two as i32)), "2800 3802");
    check("expanded (file feature)", s(|m| m.expanded = vec![1, 2]), "2800 4001 4002");
    check("packed (field feature)", s(|m| m.packed = vec![1, 2]), "2800 4a020102");
    check("packed enums", s(|m| m.packed_enums = vec![Open::One as i32]), "2800 520101");
    check("length-prefixed message", s(|m| m.child = Some(inner())), "2800 6a020801");
    check("delimited message (group)", s(|m| m.delimited_child = Some(inner())), "2800 73 0801 74");
    check("delimited repeated (groups)", s(|m| m.delimited_list = vec![inner()]), "2800 7b 0801 7c");
    check(
        "map values are length-prefixed",
        s(|m| m.by_name = HashMap::from([("k".to_string(), inner())])),
        "2800 8201 07 0a016b 12020801",
    );
    check("delimited oneof member", s(|m| m.choice = Some(Choice::PickMsg(inner()))), "2800 9301 0801 9401");
    if Scalars::default().with_default() != 7 {
        println!("default value: FAILED");
        fail();
    }

    // Edition 2024 defaults: explicit presence, packed; the file makes message fields DELIMITED.
    let t = |f: fn(&mut Tree)| {
        let mut m = Tree::default();
        f(&mut m);
        m.encode_to_vec()
    };
    check("2024: explicit zero written", t(|m| m.value = Some(0)), "0800");
    check("2024: delimited (file feature)", t(|m| m.left = Some(Box::default())), "1314");
    check(
        "2024: group inside a group",
        t(|m| {
            m.forest = Some(Box::new(Forest {
                first: Some(Box::new(Tree { value: Some(1), ..Default::default() })),
            }))
        }),
        "1b 0b 0801 0c 1c",
    );
    check(
        "2024: map values stay length-prefixed",
        t(|m| {
            let value = Tree { value: Some(1), ..Default::default() };
            m.index = HashMap::from([("a".to_string(), value)]);
        }),
        "22 07 0a0161 12020801",
    );
    check("2024: packed by default", t(|m| m.ids = vec![-1, 1]), "2a020102");
    check("2024: LENGTH_PREFIXED on the field", t(|m| m.children = vec![Tree::default()]), "3200");

    // Round trip of a message using every field.
    let full = Scalars {
        implicit_int: 3,
        explicit_int: Some(0),
        implicit_str: "a".into(),
        explicit_str: Some(String::new()),
        required_int: 9,
        open_enum: Open::One as i32,
        closed_enum: Some(Closed::One as i32),
        expanded: vec![1, 2],
        packed: vec![3],
        packed_enums: vec![0, 1],
        names: vec!["n".into()],
        with_default: Some(1),
        child: Some(inner()),
        delimited_child: Some(inner()),
        delimited_list: vec![inner(), inner()],
        by_name: HashMap::from([("k".to_string(), inner())]),
        choice: Some(Choice::PickInt(4)),
    };
    let back = Scalars::decode(full.encode_to_vec().as_slice()).expect("decodes");
    if back != full {
        println!("round trip: FAILED: {back:?}");
        fail();
    }
    if failures.get() > 0 {
        eprintln!("{} check(s) failed", failures.get());
        std::process::exit(1);
    }
    println!("editions wire: ok");
}
