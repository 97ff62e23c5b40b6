//! Recursive-descent parser over the lexed tokens.

use super::lexer::Lexed;
use super::*;

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
}

type PResult<T> = Result<T, SyntaxError>;

pub(crate) fn parse(source: &str, lexed: Lexed) -> Result<File, SyntaxError> {
    let Lexed { tokens, comments } = lexed;
    let mut p = Parser {
        src: source,
        tokens: &tokens,
        pos: 0,
    };
    let syntax = p.syntax_decl()?;
    let mut decls = Vec::new();
    while !p.at_eof() {
        decls.push(p.file_decl()?);
    }
    let eof = p.pos as TokenId;
    Ok(File {
        source: source.to_string(),
        tokens,
        comments,
        syntax,
        decls,
        eof,
    })
}

impl<'a> Parser<'a> {
    fn kind(&self, off: usize) -> TokenKind {
        self.tokens
            .get(self.pos + off)
            .map(|t| t.kind)
            .unwrap_or(TokenKind::Eof)
    }
    fn text(&self, off: usize) -> &'a str {
        match self.tokens.get(self.pos + off) {
            Some(t) => &self.src[t.span.range()],
            None => "",
        }
    }
    fn at_eof(&self) -> bool {
        self.kind(0) == TokenKind::Eof
    }
    fn is_sym(&self, off: usize, c: u8) -> bool {
        self.kind(off) == TokenKind::Sym(c)
    }
    fn is_kw(&self, off: usize, kw: &str) -> bool {
        self.kind(off) == TokenKind::Ident && self.text(off) == kw
    }
    fn bump(&mut self) -> TokenId {
        let id = self.pos as TokenId;
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        id
    }
    fn error(&self, expected: &str) -> SyntaxError {
        let tok = &self.tokens[self.pos.min(self.tokens.len() - 1)];
        let found = match tok.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Str => format!("string literal {}", self.text(0)),
            TokenKind::Int | TokenKind::Float => format!("number {}", self.text(0)),
            TokenKind::Ident => format!("identifier {}", self.text(0)),
            TokenKind::Sym(_) => format!("'{}'", self.text(0)),
        };
        SyntaxError {
            span: tok.span,
            message: format!("syntax error: unexpected {found}, expecting {expected}"),
        }
    }
    fn expect_sym(&mut self, c: u8) -> PResult<TokenId> {
        if self.is_sym(0, c) {
            Ok(self.bump())
        } else {
            Err(self.error(&format!("'{}'", c as char)))
        }
    }
    fn expect_ident(&mut self, what: &str) -> PResult<TokenId> {
        if self.kind(0) == TokenKind::Ident {
            Ok(self.bump())
        } else {
            Err(self.error(what))
        }
    }
    fn expect_int(&mut self) -> PResult<TokenId> {
        if self.kind(0) == TokenKind::Int {
            Ok(self.bump())
        } else {
            Err(self.error("an integer"))
        }
    }

    fn syntax_decl(&mut self) -> PResult<Option<SyntaxDecl>> {
        if !(self.is_kw(0, "syntax") || self.is_kw(0, "edition")) || !self.is_sym(1, b'=') {
            return Ok(None);
        }
        let is_edition = self.is_kw(0, "edition");
        let keyword = self.bump();
        let equals = self.bump();
        let value = self.string_value()?;
        let semicolon = Some(self.expect_sym(b';')?);
        Ok(Some(SyntaxDecl {
            keyword,
            is_edition,
            equals,
            value,
            semicolon,
        }))
    }

    fn string_value(&mut self) -> PResult<StringValue> {
        if self.kind(0) != TokenKind::Str {
            return Err(self.error("a string literal"));
        }
        let mut parts = vec![self.bump()];
        while self.kind(0) == TokenKind::Str {
            parts.push(self.bump());
        }
        Ok(StringValue { parts })
    }

    fn qual_name(&mut self) -> PResult<QualName> {
        let mut tokens = Vec::new();
        if self.is_sym(0, b'.') {
            tokens.push(self.bump());
        }
        tokens.push(self.expect_ident("a name")?);
        while self.is_sym(0, b'.') {
            tokens.push(self.bump());
            tokens.push(self.expect_ident("a name")?);
        }
        Ok(QualName { tokens })
    }

    fn file_decl(&mut self) -> PResult<Decl> {
        if self.is_sym(0, b';') {
            return Ok(Decl::Empty(self.bump()));
        }
        if self.kind(0) != TokenKind::Ident {
            return Err(self.error("a declaration"));
        }
        match self.text(0) {
            "package" => {
                let keyword = self.bump();
                let name = self.qual_name()?;
                let semicolon = self.expect_sym(b';')?;
                Ok(Decl::Package(PackageDecl {
                    keyword,
                    name,
                    semicolon,
                }))
            }
            "import" => {
                let keyword = self.bump();
                let is_modifier =
                    |p: &Self, off| ["public", "weak", "option"].iter().any(|m| p.is_kw(off, m));
                // As buf: one modifier only (`import option weak "x";` is an error at `weak`).
                if is_modifier(self, 0) && is_modifier(self, 1) && self.kind(2) == TokenKind::Str {
                    return Err(SyntaxError {
                        span: self.tokens[self.pos + 1].span,
                        message: format!("unexpected `{}` modifier in import", self.text(1)),
                    });
                }
                let modifier = if is_modifier(self, 0) && self.kind(1) == TokenKind::Str {
                    Some(self.bump())
                } else {
                    None
                };
                let path = self.string_value()?;
                let semicolon = self.expect_sym(b';')?;
                Ok(Decl::Import(ImportDecl {
                    keyword,
                    modifier,
                    path,
                    semicolon,
                }))
            }
            "option" => Ok(Decl::Option(self.option_decl()?)),
            "message" | "enum" | "export" | "local" => self.type_decl(),
            "service" => {
                let keyword = self.bump();
                let name = self.expect_ident("a service name")?;
                let body = self.body(BodyKind::Service)?;
                Ok(Decl::Service(ServiceDecl {
                    keyword,
                    name,
                    body,
                }))
            }
            "extend" => self.extend_decl(),
            "syntax" | "edition" => Err(SyntaxError {
                span: self.tokens[self.pos].span,
                message: format!(
                    "syntax error: '{}' must be the first statement of the file",
                    self.text(0)
                ),
            }),
            _ => Err(self.error("a top-level declaration")),
        }
    }

    fn type_decl(&mut self) -> PResult<Decl> {
        let visibility = if self.is_kw(0, "export") || self.is_kw(0, "local") {
            Some(self.bump())
        } else {
            None
        };
        if self.is_kw(0, "message") {
            let keyword = self.bump();
            let name = self.expect_ident("a message name")?;
            let body = self.body(BodyKind::Message)?;
            Ok(Decl::Message(MessageDecl {
                visibility,
                keyword,
                name,
                body,
            }))
        } else if self.is_kw(0, "enum") {
            let keyword = self.bump();
            let name = self.expect_ident("an enum name")?;
            let body = self.body(BodyKind::Enum)?;
            Ok(Decl::Enum(EnumDecl {
                visibility,
                keyword,
                name,
                body,
            }))
        } else {
            Err(self.error("'message' or 'enum'"))
        }
    }

    fn extend_decl(&mut self) -> PResult<Decl> {
        let keyword = self.bump();
        let extendee = self.qual_name()?;
        let body = self.body(BodyKind::Extend)?;
        Ok(Decl::Extend(ExtendDecl {
            keyword,
            extendee,
            body,
        }))
    }

    fn body(&mut self, kind: BodyKind) -> PResult<Body> {
        let open = self.expect_sym(b'{')?;
        let mut decls = Vec::new();
        while !self.is_sym(0, b'}') {
            if self.at_eof() {
                return Err(self.error("'}'"));
            }
            decls.push(self.body_decl(kind)?);
        }
        let close = self.bump();
        Ok(Body { open, decls, close })
    }

    fn body_decl(&mut self, kind: BodyKind) -> PResult<Decl> {
        if self.is_sym(0, b';') {
            return Ok(Decl::Empty(self.bump()));
        }
        if self.kind(0) != TokenKind::Ident && !self.is_sym(0, b'.') {
            return Err(self.error("a declaration"));
        }
        let word = self.text(0);
        let next_is_name = self.kind(1) == TokenKind::Ident;
        if word == "option" && (next_is_name || self.is_sym(1, b'(')) {
            return Ok(Decl::Option(self.option_decl()?));
        }
        match kind {
            BodyKind::Enum => {
                if word == "reserved" && !self.is_sym(1, b'=') {
                    return self.reserved_decl();
                }
                self.enum_value()
            }
            BodyKind::Service => {
                if word == "rpc" {
                    self.rpc_decl()
                } else {
                    Err(self.error("'rpc' or 'option'"))
                }
            }
            BodyKind::Rpc => Err(self.error("'option' or '}'")),
            BodyKind::Message | BodyKind::Oneof | BodyKind::Extend => {
                if kind == BodyKind::Message {
                    match word {
                        "message" | "enum" if next_is_name && self.is_sym(2, b'{') => {
                            return self.type_decl()
                        }
                        "export" | "local" if self.is_kw(1, "message") || self.is_kw(1, "enum") => {
                            return self.type_decl()
                        }
                        // `extend Foo {` (not a field of a type named `extend`).
                        "extend"
                            if !self.is_sym(1, b'=')
                                && (next_is_name || self.is_sym(1, b'.'))
                                && !(self.kind(2) == TokenKind::Ident && self.is_sym(3, b'=')) =>
                        {
                            return self.extend_decl();
                        }
                        "oneof" if next_is_name && self.is_sym(2, b'{') => {
                            let keyword = self.bump();
                            let name = self.bump();
                            let body = self.body(BodyKind::Oneof)?;
                            return Ok(Decl::Oneof(OneofDecl {
                                keyword,
                                name,
                                body,
                            }));
                        }
                        "extensions" if !self.is_sym(2, b'=') && !next_is_name => {
                            return self.extensions_decl()
                        }
                        "reserved" if !self.is_sym(2, b'=') && !next_is_name => {
                            return self.reserved_decl()
                        }
                        "reserved" if next_is_name && !self.is_sym(2, b'=') => {
                            return self.reserved_decl()
                        }
                        _ => {}
                    }
                }
                if word == "map" && self.is_sym(1, b'<') {
                    return self.map_field();
                }
                self.field_or_group()
            }
        }
    }

    fn field_or_group(&mut self) -> PResult<Decl> {
        let label = if matches!(self.text(0), "optional" | "required" | "repeated")
            && self.kind(0) == TokenKind::Ident
            && !self.is_sym(2, b'=')
        {
            Some(self.bump())
        } else {
            None
        };
        if self.is_kw(0, "group") && self.kind(1) == TokenKind::Ident && self.is_sym(2, b'=') {
            let keyword = self.bump();
            let name = self.bump();
            let equals = self.bump();
            let number = self.expect_int()?;
            let options = self.maybe_compact_options()?;
            let body = self.body(BodyKind::Message)?;
            return Ok(Decl::Group(GroupDecl {
                label,
                keyword,
                name,
                equals,
                number,
                options,
                body,
            }));
        }
        if label.is_some() && self.is_kw(0, "map") && self.is_sym(1, b'<') {
            return Err(self.error("a field type (map fields cannot have a label)"));
        }
        let field_type = self.qual_name()?;
        let name = self.expect_ident("a field name")?;
        let equals = self.expect_sym(b'=')?;
        let number = self.expect_int()?;
        let options = self.maybe_compact_options()?;
        let semicolon = self.expect_sym(b';')?;
        Ok(Decl::Field(FieldDecl {
            label,
            field_type,
            name,
            equals,
            number,
            options,
            semicolon,
        }))
    }

    fn map_field(&mut self) -> PResult<Decl> {
        let keyword = self.bump();
        let open = self.bump();
        let key_type = self.qual_name()?;
        let comma = self.expect_sym(b',')?;
        let value_type = self.qual_name()?;
        let close = self.expect_sym(b'>')?;
        let name = self.expect_ident("a field name")?;
        let equals = self.expect_sym(b'=')?;
        let number = self.expect_int()?;
        let options = self.maybe_compact_options()?;
        let semicolon = self.expect_sym(b';')?;
        Ok(Decl::MapField(MapFieldDecl {
            keyword,
            open,
            key_type,
            comma,
            value_type,
            close,
            name,
            equals,
            number,
            options,
            semicolon,
        }))
    }

    fn enum_value(&mut self) -> PResult<Decl> {
        let name = self.expect_ident("an enum value name")?;
        let equals = self.expect_sym(b'=')?;
        let number = if self.is_sym(0, b'-') {
            let sign = self.bump();
            let value = self.expect_int()?;
            Value::Signed { sign, value }
        } else {
            Value::Scalar(self.expect_int()?)
        };
        let options = self.maybe_compact_options()?;
        let semicolon = self.expect_sym(b';')?;
        Ok(Decl::EnumValue(EnumValueDecl {
            name,
            equals,
            number,
            options,
            semicolon,
        }))
    }

    fn rpc_decl(&mut self) -> PResult<Decl> {
        let keyword = self.bump();
        let name = self.expect_ident("a method name")?;
        let input = self.rpc_type()?;
        if !self.is_kw(0, "returns") {
            return Err(self.error("'returns'"));
        }
        let returns = self.bump();
        let output = self.rpc_type()?;
        if self.is_sym(0, b'{') {
            let body = self.body(BodyKind::Rpc)?;
            Ok(Decl::Rpc(RpcDecl {
                keyword,
                name,
                input,
                returns,
                output,
                body: Some(body),
                semicolon: None,
            }))
        } else {
            let semicolon = self.expect_sym(b';')?;
            Ok(Decl::Rpc(RpcDecl {
                keyword,
                name,
                input,
                returns,
                output,
                body: None,
                semicolon: Some(semicolon),
            }))
        }
    }

    fn rpc_type(&mut self) -> PResult<RpcType> {
        let open = self.expect_sym(b'(')?;
        let stream = if self.is_kw(0, "stream")
            && (self.kind(1) == TokenKind::Ident || self.is_sym(1, b'.'))
        {
            Some(self.bump())
        } else {
            None
        };
        let message_type = self.qual_name()?;
        let close = self.expect_sym(b')')?;
        Ok(RpcType {
            open,
            stream,
            message_type,
            close,
        })
    }

    fn range_expr(&mut self) -> PResult<RangeExpr> {
        let start = self.int_value()?;
        if self.is_kw(0, "to") {
            let to = self.bump();
            let end = if self.is_kw(0, "max") {
                Value::Scalar(self.bump())
            } else {
                self.int_value()?
            };
            Ok(RangeExpr {
                start,
                to: Some(to),
                end: Some(end),
            })
        } else {
            Ok(RangeExpr {
                start,
                to: None,
                end: None,
            })
        }
    }

    fn int_value(&mut self) -> PResult<Value> {
        if self.is_sym(0, b'-') {
            let sign = self.bump();
            let value = self.expect_int()?;
            Ok(Value::Signed { sign, value })
        } else {
            Ok(Value::Scalar(self.expect_int()?))
        }
    }

    fn extensions_decl(&mut self) -> PResult<Decl> {
        let keyword = self.bump();
        let mut ranges = vec![self.range_expr()?];
        let mut commas = Vec::new();
        while self.is_sym(0, b',') {
            commas.push(self.bump());
            ranges.push(self.range_expr()?);
        }
        let options = self.maybe_compact_options()?;
        let semicolon = self.expect_sym(b';')?;
        Ok(Decl::ExtensionRange(ExtensionRangeDecl {
            keyword,
            ranges,
            commas,
            options,
            semicolon,
        }))
    }

    fn reserved_decl(&mut self) -> PResult<Decl> {
        let keyword = self.bump();
        let mut items = Vec::new();
        let mut commas = Vec::new();
        loop {
            let item = match self.kind(0) {
                TokenKind::Str => ReservedItem::Name(self.string_value()?),
                TokenKind::Ident => ReservedItem::Ident(self.bump()),
                _ => ReservedItem::Range(self.range_expr()?),
            };
            items.push(item);
            if self.is_sym(0, b',') {
                commas.push(self.bump());
            } else {
                break;
            }
        }
        let semicolon = self.expect_sym(b';')?;
        Ok(Decl::Reserved(ReservedDecl {
            keyword,
            items,
            commas,
            semicolon,
        }))
    }

    fn option_name(&mut self) -> PResult<OptionName> {
        let mut tokens = Vec::new();
        loop {
            if self.is_sym(0, b'(') {
                tokens.push(self.bump());
                if self.is_sym(0, b'.') {
                    tokens.push(self.bump());
                }
                tokens.push(self.expect_ident("an extension name")?);
                while self.is_sym(0, b'.') {
                    tokens.push(self.bump());
                    tokens.push(self.expect_ident("an extension name")?);
                }
                tokens.push(self.expect_sym(b')')?);
            } else {
                tokens.push(self.expect_ident("an option name")?);
            }
            if self.is_sym(0, b'.') {
                tokens.push(self.bump());
            } else {
                break;
            }
        }
        Ok(OptionName { tokens })
    }

    fn option_decl(&mut self) -> PResult<OptionDecl> {
        let keyword = Some(self.bump());
        let name = self.option_name()?;
        let equals = self.expect_sym(b'=')?;
        let value = self.value()?;
        let semicolon = Some(self.expect_sym(b';')?);
        Ok(OptionDecl {
            keyword,
            name,
            equals,
            value,
            semicolon,
        })
    }

    fn maybe_compact_options(&mut self) -> PResult<Option<CompactOptions>> {
        if !self.is_sym(0, b'[') {
            return Ok(None);
        }
        let open = self.bump();
        let mut options = Vec::new();
        let mut commas = Vec::new();
        loop {
            let name = self.option_name()?;
            let equals = self.expect_sym(b'=')?;
            let value = self.value()?;
            options.push(OptionDecl {
                keyword: None,
                name,
                equals,
                value,
                semicolon: None,
            });
            if self.is_sym(0, b',') {
                commas.push(self.bump());
            } else {
                break;
            }
        }
        let close = self.expect_sym(b']')?;
        Ok(Some(CompactOptions {
            open,
            options,
            commas,
            close,
        }))
    }

    fn value(&mut self) -> PResult<Value> {
        match self.kind(0) {
            TokenKind::Str => Ok(Value::Strings(self.string_value()?)),
            TokenKind::Int | TokenKind::Float | TokenKind::Ident => Ok(Value::Scalar(self.bump())),
            TokenKind::Sym(b'-') | TokenKind::Sym(b'+') => {
                let sign = self.bump();
                match self.kind(0) {
                    TokenKind::Int | TokenKind::Float | TokenKind::Ident => Ok(Value::Signed {
                        sign,
                        value: self.bump(),
                    }),
                    _ => Err(self.error("a number")),
                }
            }
            TokenKind::Sym(b'{') | TokenKind::Sym(b'<') => {
                Ok(Value::Message(self.message_literal()?))
            }
            TokenKind::Sym(b'[') => Ok(Value::Array(self.array_literal()?)),
            _ => Err(self.error("a value")),
        }
    }

    fn message_literal(&mut self) -> PResult<MessageLiteral> {
        let open_char = if self.is_sym(0, b'{') { b'}' } else { b'>' };
        let open = self.bump();
        let mut fields = Vec::new();
        let mut separators = Vec::new();
        while !self.is_sym(0, open_char) {
            if self.at_eof() {
                return Err(self.error(&format!("'{}'", open_char as char)));
            }
            let mut name = Vec::new();
            if self.is_sym(0, b'[') {
                name.push(self.bump());
                while !self.is_sym(0, b']') {
                    match self.kind(0) {
                        TokenKind::Ident | TokenKind::Sym(b'.') | TokenKind::Sym(b'/') => {
                            name.push(self.bump())
                        }
                        _ => return Err(self.error("an extension or type name")),
                    }
                }
                name.push(self.bump());
            } else {
                name.push(self.expect_ident("a field name")?);
            }
            let colon = if self.is_sym(0, b':') {
                Some(self.bump())
            } else {
                None
            };
            if colon.is_none()
                && !(self.is_sym(0, b'{') || self.is_sym(0, b'<') || self.is_sym(0, b'['))
            {
                return Err(self.error("':'"));
            }
            let value = self.value()?;
            fields.push(LiteralField { name, colon, value });
            separators.push(if self.is_sym(0, b',') || self.is_sym(0, b';') {
                Some(self.bump())
            } else {
                None
            });
        }
        let close = self.bump();
        Ok(MessageLiteral {
            open,
            fields,
            separators,
            close,
        })
    }

    fn array_literal(&mut self) -> PResult<ArrayLiteral> {
        let open = self.bump();
        let mut elements = Vec::new();
        let mut commas = Vec::new();
        if !self.is_sym(0, b']') {
            loop {
                elements.push(self.value()?);
                if self.is_sym(0, b',') {
                    commas.push(self.bump());
                } else {
                    break;
                }
            }
        }
        let close = self.expect_sym(b']')?;
        Ok(ArrayLiteral {
            open,
            elements,
            commas,
            close,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Message,
    Enum,
    Service,
    Rpc,
    Oneof,
    Extend,
}
