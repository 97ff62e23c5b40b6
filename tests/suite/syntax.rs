//! The lossless parser's public API: tokens, spans, comments, declarations.

use protoforge::syntax::{parse, Decl, ReservedItem, TokenKind, Value};

#[test]
fn every_byte_is_a_token_a_comment_or_whitespace() {
    let source = "// lead\nsyntax = \"proto2\"; // trail\n\nmessage A { optional int32 a = 1 [default = -2]; }\n";
    let file = parse(source).unwrap();
    let mut covered = vec![false; source.len()];
    for t in &file.tokens {
        for i in t.span.range().chain(t.ws_before.range()) {
            covered[i] = true;
        }
    }
    for c in &file.comments {
        for i in c.span.range().chain(c.ws_before.range()) {
            covered[i] = true;
        }
    }
    assert!(covered.iter().all(|&c| c), "some bytes belong to nothing");
}

#[test]
fn declarations_keep_their_token_ids_and_comments() {
    let source = "syntax = \"proto3\";\n\n// Leading on A.\nmessage A {\n  string name = 1; // Trailing on name.\n}\n";
    let file = parse(source).unwrap();
    let syntax = file.syntax.as_ref().unwrap();
    assert!(!syntax.is_edition);
    assert_eq!(file.text(syntax.value.parts[0]), "\"proto3\"");
    let Decl::Message(msg) = &file.decls[0] else {
        panic!("not a message")
    };
    assert_eq!(file.text(msg.name), "A");
    let lead: Vec<_> = file
        .leading_comments(msg.keyword)
        .iter()
        .map(|c| file.comment_text(c))
        .collect();
    assert_eq!(lead, ["// Leading on A."]);
    let Decl::Field(field) = &msg.body.decls[0] else {
        panic!("not a field")
    };
    assert_eq!(file.text(field.name), "name");
    assert_eq!(file.text(field.number), "1");
    assert_eq!(file.text(field.field_type.tokens[0]), "string");
    let trail: Vec<_> = file
        .trailing_comments(field.semicolon)
        .iter()
        .map(|c| file.comment_text(c))
        .collect();
    assert_eq!(trail, ["// Trailing on name."]);
    let name_span = file.token(field.name).span;
    assert_eq!(file.line_col(name_span.start as usize), (4, 9));
}

#[test]
fn editions_and_their_2024_additions_parse() {
    let source = r#"edition = "2024";
import option "google/protobuf/cpp_features.proto";
option features.(pb.cpp).string_type = VIEW;
export message A { local enum E { E_UNSPECIFIED = 0; } reserved foo, bar; }
"#;
    let file = parse(source).unwrap();
    assert!(file.syntax.as_ref().unwrap().is_edition);
    let Decl::Import(import) = &file.decls[0] else {
        panic!()
    };
    assert_eq!(file.text(import.modifier.unwrap()), "option");
    let Decl::Option(opt) = &file.decls[1] else {
        panic!()
    };
    let name: String = opt.name.tokens.iter().map(|&t| file.text(t)).collect();
    assert_eq!(name, "features.(pb.cpp).string_type");
    let Decl::Message(msg) = &file.decls[2] else {
        panic!()
    };
    assert_eq!(file.text(msg.visibility.unwrap()), "export");
    let Decl::Reserved(r) = &msg.body.decls[1] else {
        panic!()
    };
    assert!(matches!(r.items[0], ReservedItem::Ident(_)));
}

#[test]
fn proto2_groups_extensions_ranges_and_literals_parse() {
    let source = r#"syntax = "proto2";
message A {
  extensions 100 to max;
  optional group G = 1 { required int32 x = 2; }
  reserved 5, 10 to 20;
  optional double d = 3 [default = -inf, (opt) = { a: [1, 2] b < c: "x" "y" > }];
}
extend A { optional int32 e = 100; }
enum E { option allow_alias = true; NEG = -1; HEX = 0x10; }
"#;
    let file = parse(source).unwrap();
    let Decl::Message(msg) = &file.decls[0] else {
        panic!()
    };
    assert!(matches!(msg.body.decls[0], Decl::ExtensionRange(_)));
    assert!(matches!(msg.body.decls[1], Decl::Group(_)));
    let Decl::Field(field) = &msg.body.decls[3] else {
        panic!()
    };
    let options = field.options.as_ref().unwrap();
    assert!(matches!(options.options[0].value, Value::Signed { .. }));
    let Value::Message(lit) = &options.options[1].value else {
        panic!()
    };
    assert_eq!(lit.fields.len(), 2);
    assert!(matches!(file.decls[1], Decl::Extend(_)));
    let Decl::Enum(e) = &file.decls[2] else {
        panic!()
    };
    let Decl::EnumValue(hex) = &e.body.decls[2] else {
        panic!()
    };
    let Value::Scalar(n) = hex.number else {
        panic!()
    };
    assert_eq!(file.token(n).kind, TokenKind::Int);
}
