use foldhash::{HashSet, HashSetExt};
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, Value};

use crate::image::tag;
use crate::lint::walk::strip_dot;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that every (non-public) import is used: some type, extendee, RPC type or option
    /// of the file comes from the imported file or from a file it imports publicly. An import
    /// used only by a custom option (`option (google.api.http) = ...`) counts as used.
    ///
    /// Why: unused imports slow builds, create false dependencies between packages, and make
    /// protoc print warnings.
    ///
    /// Bad:
    /// ```proto
    /// import "google/protobuf/timestamp.proto"; // nothing uses Timestamp
    /// ```
    /// Good: remove the import, or use it.
    ///
    /// Fix: delete the import statement.
    pub IMPORT_USED = "Checks that imports are used."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        let Some(pool) = cx.image.pool_of(f.name()) else {
            continue;
        };
        let proto = f.file.proto();
        if proto.dependency.is_empty() {
            continue;
        }
        let public: HashSet<i32> = proto.public_dependency.iter().copied().collect();
        // For each checked import: the files whose symbols make it used (itself and what it
        // re-exports through public imports, transitively).
        let mut candidates: Vec<(i32, &str, HashSet<String>)> = Vec::new();
        for (i, dep) in proto.dependency.iter().enumerate() {
            if public.contains(&(i as i32)) {
                continue;
            }
            candidates.push((i as i32, dep, exported_files(pool, dep)));
        }
        if candidates.is_empty() {
            continue;
        }
        let mut used = UsedFiles {
            files: HashSet::new(),
            pending: candidates
                .iter()
                .map(|(_, _, files)| files.clone())
                .collect(),
            type_names: HashSet::new(),
        };
        used.types(pool, proto);
        if !used.pending.is_empty() {
            if let Some(fd) = pool.get_file_by_name(f.name()) {
                used.options(&fd);
            }
        }
        for (i, dep, files) in &candidates {
            if !files.iter().any(|x| used.files.contains(x)) {
                out.at(
                    f,
                    &[tag::file::DEPENDENCY, *i],
                    format!("Import {dep:?} is unused."),
                );
            }
        }
    }
}

/// `name` and every file it re-exports through `import public`, transitively.
fn exported_files(pool: &DescriptorPool, name: &str) -> HashSet<String> {
    let mut out = HashSet::with_capacity(1);
    let mut stack = vec![name.to_string()];
    while let Some(n) = stack.pop() {
        if !out.insert(n.clone()) {
            continue;
        }
        if let Some(fd) = pool.get_file_by_name(&n) {
            let p = fd.file_descriptor_proto();
            for &i in &p.public_dependency {
                if let Some(d) = p.dependency.get(i as usize) {
                    stack.push(d.clone());
                }
            }
        }
    }
    out
}

/// What a file uses, as far as the check needs to know. Only whether each checked import is
/// used matters, so every scan stops once none is pending: the order of the scans changes how
/// soon that is, never the answer.
struct UsedFiles<'p> {
    files: HashSet<String>,
    /// The imports not known to be used yet (as sets of files that would make them used); the
    /// scans stop once this is empty.
    pending: Vec<HashSet<String>>,
    /// The type names looked up already (a file names the same types many times over).
    type_names: HashSet<&'p str>,
}

impl<'p> UsedFiles<'p> {
    fn settle(&mut self) {
        let files = &self.files;
        self.pending
            .retain(|p| !p.iter().any(|x| files.contains(x)));
    }

    /// Marks `file` used; true when that made every checked import used.
    fn use_file(&mut self, file: &str) -> bool {
        if self.files.contains(file) {
            return self.pending.is_empty();
        }
        self.files.insert(file.to_string());
        if self.pending.iter().any(|p| p.contains(file)) {
            self.settle();
        }
        self.pending.is_empty()
    }

    /// Marks used the file that defines the message or enum `name`; true when nothing is
    /// pending any more.
    fn type_name(&mut self, pool: &DescriptorPool, name: &'p str) -> bool {
        if name.is_empty() || !self.type_names.insert(name) {
            return self.pending.is_empty();
        }
        let name = strip_dot(name);
        if let Some(m) = pool.get_message_by_name(name) {
            return self.use_file(m.parent_file().name());
        }
        if let Some(e) = pool.get_enum_by_name(name) {
            return self.use_file(e.parent_file().name());
        }
        self.pending.is_empty()
    }

    /// Types referenced by fields, extensions and RPCs.
    fn types(&mut self, pool: &DescriptorPool, proto: &'p prost_types::FileDescriptorProto) {
        /// True when nothing is pending any more.
        fn message<'p>(
            u: &mut UsedFiles<'p>,
            pool: &DescriptorPool,
            m: &'p prost_types::DescriptorProto,
        ) -> bool {
            for f in m.field.iter().chain(&m.extension) {
                if u.type_name(pool, f.type_name()) | u.type_name(pool, f.extendee()) {
                    return true;
                }
            }
            m.nested_type.iter().any(|n| message(u, pool, n))
        }
        if self.pending.is_empty() || proto.message_type.iter().any(|m| message(self, pool, m)) {
            return;
        }
        for f in &proto.extension {
            if self.type_name(pool, f.type_name()) | self.type_name(pool, f.extendee()) {
                return;
            }
        }
        for s in &proto.service {
            for m in &s.method {
                if self.type_name(pool, m.input_type()) | self.type_name(pool, m.output_type()) {
                    return;
                }
            }
        }
    }

    /// Files that define the custom options (extensions) set anywhere in the file. Services
    /// first: the options most files import for (HTTP rules, client settings) are there; the
    /// file's own options (set in most files, seldom custom) last.
    fn options(&mut self, fd: &prost_reflect::FileDescriptor) {
        for s in fd.services() {
            if self.pending.is_empty() {
                return;
            }
            if s.service_descriptor_proto().options.is_some() {
                self.option_message(&s.options());
            }
            for m in s.methods() {
                if self.pending.is_empty() {
                    return;
                }
                if m.method_descriptor_proto().options.is_some() {
                    self.option_message(&m.options());
                }
            }
        }
        for m in fd.messages() {
            self.message_options(&m);
        }
        for e in fd.enums() {
            self.enum_options(&e);
        }
        for x in fd.extensions() {
            if self.pending.is_empty() {
                return;
            }
            if x.field_descriptor_proto().options.is_some() {
                self.option_message(&x.options());
            }
        }
        if !self.pending.is_empty() && fd.file_descriptor_proto().options.is_some() {
            self.option_message(&fd.options());
        }
    }

    fn message_options(&mut self, m: &MessageDescriptor) {
        if self.pending.is_empty() {
            return;
        }
        if m.descriptor_proto().options.is_some() {
            self.option_message(&m.options());
        }
        for f in m.fields() {
            if self.pending.is_empty() {
                return;
            }
            if f.field_descriptor_proto().options.is_some() {
                self.option_message(&f.options());
            }
        }
        for o in m.oneofs() {
            if self.pending.is_empty() {
                return;
            }
            if o.oneof_descriptor_proto().options.is_some() {
                self.option_message(&o.options());
            }
        }
        for x in m.child_extensions() {
            if self.pending.is_empty() {
                return;
            }
            if x.field_descriptor_proto().options.is_some() {
                self.option_message(&x.options());
            }
        }
        for e in m.child_enums() {
            self.enum_options(&e);
        }
        for n in m.child_messages() {
            self.message_options(&n);
        }
    }

    fn enum_options(&mut self, e: &prost_reflect::EnumDescriptor) {
        if self.pending.is_empty() {
            return;
        }
        if e.enum_descriptor_proto().options.is_some() {
            self.option_message(&e.options());
        }
        for v in e.values() {
            if self.pending.is_empty() {
                return;
            }
            if v.enum_value_descriptor_proto().options.is_some() {
                self.option_message(&v.options());
            }
        }
    }

    fn option_message(&mut self, options: &DynamicMessage) {
        for (ext, value) in options.extensions() {
            self.use_file(ext.parent_file().name());
            self.option_value(value);
        }
        for (_, value) in options.fields() {
            self.option_value(value);
        }
    }

    fn option_value(&mut self, value: &Value) {
        match value {
            Value::Message(m) => self.option_message(m),
            Value::List(items) => {
                for v in items {
                    self.option_value(v);
                }
            }
            Value::Map(map) => {
                for v in map.values() {
                    self.option_value(v);
                }
            }
            _ => {}
        }
    }
}
