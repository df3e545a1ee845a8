//! The server and the client inside an async-std application: async-std's
//! listener and sockets, async-std's executor for the connection tasks,
//! and the client called from async-std tasks.

use std::time::Duration;

use async_std::net::TcpListener;
use xmlrpc_smol::{
    Client, Dispatcher, Fault, HttpResponse, Incoming, Resource, Server, ServerBuilderExt, Site,
    SoapService, Value,
};

fn site() -> Site {
    let mut site = Site::standard(dispatcher());
    site.mount("/SOAP", SoapService::new(dispatcher())).mount(
        "/later",
        Resource::async_handler(|_, body: Vec<u8>| async move {
            async_std::task::sleep(Duration::from_millis(20)).await;
            HttpResponse::new(200, "text/plain", format!("{} bytes", body.len()))
        }),
    );
    site
}

/// Writes `request` on a new async-std connection and reads to the end.
async fn exchange(addr: std::net::SocketAddr, request: &str) -> String {
    use async_std::io::{ReadExt, WriteExt};
    let mut s = async_std::net::TcpStream::connect(addr)
        .await
        .expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    out
}

fn dispatcher() -> Dispatcher {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register_async("later", |x: Value| async move {
        async_std::task::sleep(Duration::from_millis(20)).await;
        x
    });
    d.register("fault", || -> Result<Value, Fault> {
        Err(Fault::new(7, "seven"))
    });
    d
}

#[test]
fn server_and_client_under_async_std() {
    async_std::task::block_on(async {
        let server = Server::builder(site())
            .spawner(|f| {
                async_std::task::spawn(f);
            })
            .build();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/RPC2", listener.local_addr().expect("addr"));
        let stop = server.shutdown_handle();
        let serving = async_std::task::spawn(async move {
            server.serve_incoming(Incoming(listener.incoming())).await
        });

        let client = Client::new(&url).expect("client");
        let sum: i32 = client.call("add", (2, 3)).await.expect("add");
        assert_eq!(sum, 5);
        let fault = client.call::<Value>("fault", ()).await.expect_err("fault");
        assert_eq!(fault.fault(), Some(&Fault::new(7, "seven")));

        // Many async-std tasks over one client, async procedures included.
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let client = client.clone();
                async_std::task::spawn(async move {
                    let v: i32 = client.call("later", (i,)).await.expect("later");
                    assert_eq!(v, i);
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }

        // SOAP and an asynchronous handler, on async-std's timers.
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/RPC2")
            .parse()
            .expect("addr");
        let envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
            <s:Body><later><x>hi</x></later></s:Body></s:Envelope>";
        let out = exchange(
            addr,
            &format!(
                "POST /SOAP HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{envelope}",
                envelope.len()
            ),
        )
        .await;
        assert!(out.contains(">hi</tns:laterResult>"), "{out}");
        let out = exchange(
            addr,
            "POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        )
        .await;
        assert!(out.ends_with("\r\n\r\n3 bytes"), "{out}");

        stop.shutdown();
        async_std::future::timeout(Duration::from_secs(10), serving)
            .await
            .expect("server stopped")
            .expect("serve");
        assert!(client.call::<i32>("add", (1, 1)).await.is_err());
    });
}

#[test]
fn smol_connection_channel_and_graceful_shutdown() {
    smol::block_on(async {
        let server = Server::new(site());
        let (tx, rx) = smol::channel::unbounded();
        let stop = server.shutdown_handle();
        let serving = smol::spawn(async move { server.serve_incoming(rx).await });
        // Hand the server one end of a socket pair made by a listener.
        let listener = smol::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accept = smol::spawn(async move { listener.accept().await });
        let url = format!("http://{addr}/");
        let client = Client::new(&url).expect("client");
        let call = smol::spawn(async move { client.call::<Value>("later", ("x",)).await });
        let (conn, peer) = accept.await.expect("accepted");
        tx.send((conn, Some(peer))).await.expect("server listening");
        assert_eq!(call.await.expect("call"), Value::from("x"));
        stop.shutdown();
        serving.await.expect("serve");
    });
}
