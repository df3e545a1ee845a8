//! Procedural macros for `xmlrpc-proto`; use them through its re-exports
//! (`xmlrpc_proto::xmlrpc`).
//!
//! The generated code names items by absolute `::xmlrpc_proto::...` paths,
//! so the crate using the macro must depend on `xmlrpc-proto` under that
//! name.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, ImplItem, ImplItemFn, ItemImpl, Lit, LitStr, Meta, Type,
    Visibility, parse_macro_input,
};

/// Publishes the public methods of an `impl` block as XML-RPC procedures,
/// the way Twisted publishes `xmlrpc_*` methods.
///
/// It implements `xmlrpc_proto::dispatch::Publish` for the type, so that
/// `Dispatcher::from_object(Arc::new(value))` (or `dispatcher.publish(..)`)
/// registers every `pub fn` and `pub async fn` of the block:
///
/// - under its own name, or the one given by `#[xmlrpc(name = "date.time")]`;
/// - with its doc comment as help text (or `#[xmlrpc(help = "...")]`);
/// - with the signature `[[return type, param types...]]` derived from the
///   Rust types (`FromValue::xmlrpc_type`, `IntoReply::xmlrpc_type`);
/// - receiving the HTTP request when its first parameter after `&self` is
///   `&RequestHead` (Twisted's `withRequest`).
///
/// Methods that are not `pub`, or marked `#[xmlrpc(skip)]`, are left out.
/// Methods take `&self` or no receiver; parameters are owned types that
/// implement `FromValue`; the return type implements `IntoReply` (a value,
/// or a `Result` with a `Fault` or any error).
#[proc_macro_attribute]
pub fn xmlrpc(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        let attr = TokenStream2::from(attr);
        return syn::Error::new(attr.span(), "#[xmlrpc] on an impl block takes no arguments")
            .to_compile_error()
            .into();
    }
    let mut block = parse_macro_input!(item as ItemImpl);
    match expand(&mut block) {
        Ok(ts) => ts.into(),
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#block #err).into()
        }
    }
}

#[derive(Default)]
struct MethodOptions {
    name: Option<LitStr>,
    help: Option<LitStr>,
    skip: bool,
}

fn is_xmlrpc_attr(a: &Attribute) -> bool {
    a.path().is_ident("xmlrpc")
}

fn method_options(attrs: &[Attribute]) -> syn::Result<MethodOptions> {
    let mut opts = MethodOptions::default();
    for a in attrs.iter().filter(|a| is_xmlrpc_attr(a)) {
        a.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                opts.name = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("help") {
                opts.help = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("skip") {
                opts.skip = true;
                Ok(())
            } else {
                Err(meta.error("expected `name = \"...\"`, `help = \"...\"` or `skip`"))
            }
        })?;
    }
    Ok(opts)
}

fn doc_text(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for a in attrs {
        if !a.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
            {
                let v = s.value();
                lines.push(v.strip_prefix(' ').unwrap_or(&v).trim_end().to_owned());
            }
        }
    }
    lines.join("\n").trim().to_owned()
}

fn is_request_head(ty: &Type) -> bool {
    let Type::Reference(r) = ty else {
        return false;
    };
    if r.mutability.is_some() {
        return false;
    }
    match &*r.elem {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "RequestHead"),
        _ => false,
    }
}

fn expand(block: &mut ItemImpl) -> syn::Result<TokenStream2> {
    if let Some((_, path, _)) = &block.trait_ {
        return Err(syn::Error::new(
            path.span(),
            "#[xmlrpc] goes on an inherent impl block, not a trait impl",
        ));
    }
    let mut registrations = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(f) = item else { continue };
        let opts = method_options(&f.attrs)?;
        f.attrs.retain(|a| !is_xmlrpc_attr(a));
        if opts.skip || !matches!(f.vis, Visibility::Public(_)) {
            continue;
        }
        registrations.push(registration(f, &opts)?);
    }
    let self_ty = &block.self_ty;
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    Ok(quote! {
        #block

        impl #impl_generics ::xmlrpc_proto::dispatch::Publish for #self_ty #where_clause {
            fn publish(
                self: ::std::sync::Arc<Self>,
                dispatcher: &mut ::xmlrpc_proto::dispatch::Dispatcher,
            ) {
                #(#registrations)*
            }
        }
    })
}

fn registration(f: &ImplItemFn, opts: &MethodOptions) -> syn::Result<TokenStream2> {
    let sig = &f.sig;
    let ident = &sig.ident;
    let span = ident.span();
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "an XML-RPC procedure cannot be generic; mark it #[xmlrpc(skip)]",
        ));
    }
    let name = opts.name.clone().unwrap_or_else(|| {
        let s = ident.to_string();
        LitStr::new(s.strip_prefix("r#").unwrap_or(&s), span)
    });
    let mut inputs = sig.inputs.iter().peekable();
    let has_self = match inputs.peek() {
        Some(FnArg::Receiver(r)) => {
            if r.reference.is_none() || r.mutability.is_some() || r.colon_token.is_some() {
                return Err(syn::Error::new(
                    r.span(),
                    "an XML-RPC procedure takes `&self` or no receiver",
                ));
            }
            inputs.next();
            true
        }
        _ => false,
    };
    let mut with_request = false;
    let mut types: Vec<&Type> = Vec::new();
    for (i, arg) in inputs.enumerate() {
        let FnArg::Typed(pt) = arg else {
            return Err(syn::Error::new(arg.span(), "unexpected receiver"));
        };
        if i == 0 && is_request_head(&pt.ty) {
            with_request = true;
        } else {
            types.push(&pt.ty);
        }
    }
    let args: Vec<_> = (0..types.len())
        .map(|i| format_ident!("__xmlrpc_arg{}", i))
        .collect();
    let params = quote!(#(#args: #types),*);
    let is_async = sig.asyncness.is_some();
    let target = if has_self {
        quote_spanned!(span=> __xmlrpc_this.#ident)
    } else {
        quote_spanned!(span=> Self::#ident)
    };
    let head_ty = quote!(&::xmlrpc_proto::RequestHead);
    let head_arg = if with_request {
        quote!(__xmlrpc_head,)
    } else {
        quote!()
    };
    let closure = match (is_async, with_request) {
        (false, false) => quote! {
            dispatcher.register(#name, move |#params| #target(#(#args),*))
        },
        (false, true) => quote! {
            dispatcher.register_with_request(
                #name,
                move |__xmlrpc_head: #head_ty, #params| #target(#head_arg #(#args),*),
            )
        },
        (true, false) => quote! {
            dispatcher.register_async(#name, move |#params| {
                let __xmlrpc_this = ::std::sync::Arc::clone(&__xmlrpc_this);
                async move { #target(#(#args),*).await }
            })
        },
        (true, true) => quote! {
            dispatcher.register_async_with_request(
                #name,
                move |__xmlrpc_head: #head_ty, #params| {
                    let __xmlrpc_this = ::std::sync::Arc::clone(&__xmlrpc_this);
                    let __xmlrpc_head = ::std::clone::Clone::clone(__xmlrpc_head);
                    async move {
                        let __xmlrpc_head = &__xmlrpc_head;
                        #target(#head_arg #(#args),*).await
                    }
                },
            )
        },
    };
    let doc = doc_text(&f.attrs);
    let doc = (!doc.is_empty()).then(|| {
        let doc = LitStr::new(&doc, Span::call_site());
        quote!(__xmlrpc_procedure.doc(#doc);)
    });
    let help = opts
        .help
        .as_ref()
        .map(|h| quote!(__xmlrpc_procedure.help(#h);));
    Ok(quote! {
        {
            #[allow(unused_variables)]
            let __xmlrpc_this = ::std::sync::Arc::clone(&self);
            let __xmlrpc_procedure = #closure;
            __xmlrpc_procedure.derive_signature();
            #doc
            #help
        }
    })
}
