//! The outline of a file as a `FileDescriptorProto`, straight from its syntax tree, for files that
//! are not compiled but still count for cross-file lint rules (`lint --path`: the rest of the
//! module). It holds what those rules read: package, imports, the standard file options they
//! compare, message names (to resolve RPC types) and services with their methods. Type names
//! are as written (relative); nothing is linked or checked.

use prost_types::{
    DescriptorProto, FileDescriptorProto, FileOptions, MethodDescriptorProto,
    ServiceDescriptorProto,
};

use super::{Decl, File, OptionDecl, QualName, Value};

/// The outline of `tree`, a file known by the import path `name`.
pub fn outline(name: &str, tree: &File) -> FileDescriptorProto {
    let mut file = FileDescriptorProto {
        name: Some(name.to_string()),
        ..FileDescriptorProto::default()
    };
    if let Some(s) = &tree.syntax {
        let value = tree.string_value(&s.value);
        file.syntax = Some(if s.is_edition {
            "editions".into()
        } else {
            value
        });
    }
    for decl in &tree.decls {
        match decl {
            Decl::Package(p) => file.package = Some(qual_name(tree, &p.name)),
            Decl::Import(i) => {
                let index = file.dependency.len() as i32;
                match i.modifier.map(|m| tree.text(m)) {
                    // `import option` files are not imports for the rules (as buf).
                    Some("option") => continue,
                    Some("public") => file.public_dependency.push(index),
                    Some("weak") => file.weak_dependency.push(index),
                    _ => {}
                }
                file.dependency.push(tree.string_value(&i.path));
            }
            Decl::Option(o) => file_option(tree, o, &mut file),
            Decl::Message(m) => {
                file.message_type
                    .push(message(tree, tree.text(m.name), &m.body.decls))
            }
            Decl::Service(s) => file.service.push(service(tree, s)),
            _ => {}
        }
    }
    file
}

/// A message's name and nested messages (groups declare one too).
fn message(tree: &File, name: &str, decls: &[Decl]) -> DescriptorProto {
    let mut out = DescriptorProto {
        name: Some(name.to_string()),
        ..DescriptorProto::default()
    };
    for decl in decls {
        match decl {
            Decl::Message(m) => {
                out.nested_type
                    .push(message(tree, tree.text(m.name), &m.body.decls))
            }
            Decl::Group(g) => out
                .nested_type
                .push(message(tree, tree.text(g.name), &g.body.decls)),
            Decl::Oneof(o) => {
                for d in &o.body.decls {
                    if let Decl::Group(g) = d {
                        out.nested_type
                            .push(message(tree, tree.text(g.name), &g.body.decls));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn service(tree: &File, s: &super::ServiceDecl) -> ServiceDescriptorProto {
    let method = s
        .body
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Rpc(rpc) => Some(MethodDescriptorProto {
                name: Some(tree.text(rpc.name).to_string()),
                input_type: Some(qual_name(tree, &rpc.input.message_type)),
                output_type: Some(qual_name(tree, &rpc.output.message_type)),
                client_streaming: Some(rpc.input.stream.is_some()),
                server_streaming: Some(rpc.output.stream.is_some()),
                ..MethodDescriptorProto::default()
            }),
            _ => None,
        })
        .collect();
    ServiceDescriptorProto {
        name: Some(tree.text(s.name).to_string()),
        method,
        ..ServiceDescriptorProto::default()
    }
}

/// The standard file options the cross-file rules compare.
fn file_option(tree: &File, o: &OptionDecl, file: &mut FileDescriptorProto) {
    let [name] = o.name.tokens.as_slice() else {
        return;
    };
    let text = |v: &Value| match v {
        Value::Strings(s) => Some(tree.string_value(s)),
        _ => None,
    };
    let options = file.options.get_or_insert_with(FileOptions::default);
    match tree.text(*name) {
        "go_package" => options.go_package = text(&o.value),
        "java_package" => options.java_package = text(&o.value),
        "csharp_namespace" => options.csharp_namespace = text(&o.value),
        "php_namespace" => options.php_namespace = text(&o.value),
        "ruby_package" => options.ruby_package = text(&o.value),
        "swift_prefix" => options.swift_prefix = text(&o.value),
        "java_multiple_files" => {
            options.java_multiple_files = match &o.value {
                Value::Scalar(t) => match tree.text(*t) {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => {}
    }
}

fn qual_name(tree: &File, name: &QualName) -> String {
    name.tokens.iter().map(|&t| tree.text(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_has_what_cross_file_rules_read() {
        let source = r#"
            syntax = "proto3";
            package acme.v1;
            import "a.proto";
            import public "b.proto";
            import weak "c.proto";
            option go_package = "example.com/acme\x2fv1;acmev1";
            option java_multiple_files = true;
            option (custom) = "ignored";
            message Outer { message Inner {} oneof o { string s = 1; } }
            service Users {
              rpc Get(GetRequest) returns (stream .acme.v1.User);
              rpc Put(stream Outer.Inner) returns (Empty) { option deprecated = true; }
            }
        "#;
        let tree = super::super::parse(source).expect("parses");
        let file = outline("acme/v1/users.proto", &tree);
        assert_eq!(file.name(), "acme/v1/users.proto");
        assert_eq!(file.syntax(), "proto3");
        assert_eq!(file.package(), "acme.v1");
        assert_eq!(file.dependency, ["a.proto", "b.proto", "c.proto"]);
        assert_eq!(file.public_dependency, [1]);
        assert_eq!(file.weak_dependency, [2]);
        let options = file.options.as_ref().expect("options");
        assert_eq!(options.go_package(), "example.com/acme/v1;acmev1");
        assert_eq!(options.java_multiple_files, Some(true));
        assert_eq!(file.message_type[0].nested_type[0].name(), "Inner");
        let methods = &file.service[0].method;
        assert_eq!(methods[0].input_type(), "GetRequest");
        assert_eq!(methods[0].output_type(), ".acme.v1.User");
        assert_eq!(
            (methods[0].client_streaming(), methods[0].server_streaming()),
            (false, true)
        );
        assert_eq!(methods[1].input_type(), "Outer.Inner");
        assert!(methods[1].client_streaming());
    }

    #[test]
    fn option_imports_are_left_out() {
        let source = "edition = \"2024\";\nimport option \"opts.proto\";\nimport \"a.proto\";\n";
        let tree = super::super::parse(source).expect("parses");
        let file = outline("x.proto", &tree);
        assert_eq!(file.syntax(), "editions");
        assert_eq!(file.dependency, ["a.proto"]);
    }
}
