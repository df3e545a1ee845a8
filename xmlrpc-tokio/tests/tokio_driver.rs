//! What is particular to the tokio driver: typed calls, stream sources
//! other than TCP, deadlines on tokio timers, and shutdown details. The
//! behaviour shared by every runtime is tested by the workspace suite
//! (`tests/tests/tokio.rs`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use xmlrpc_tokio::{CallError, Client, Dispatcher, Limits, Server, Site, Value};

fn site() -> Site {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("echo", |x: Value| x);
    d.register("names", || vec!["a".to_owned(), "b".to_owned()]);
    d.register_async("sleep", |ms: u64| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    });
    Site::standard(d)
}

async fn start(server: Server) -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move { server.serve(listener).await });
    (addr, task)
}

#[tokio::test]
async fn typed_results_and_conversion_errors() {
    let server = Server::new(site());
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;
    let client = Client::new(&format!("http://{addr}/RPC2")).expect("client");
    let sum: i64 = client.call("add", (2, 40)).await.expect("add");
    assert_eq!(sum, 42);
    let names: Vec<String> = client.call("names", ()).await.expect("names");
    assert_eq!(names, ["a", "b"]);
    let v: Value = client
        .call("echo", vec![Value::from("raw")])
        .await
        .expect("echo");
    assert_eq!(v, Value::from("raw"));
    let wrong = client.call::<String>("add", (1, 2)).await;
    assert!(matches!(wrong, Err(CallError::Result(_))), "{wrong:?}");
    let nil = client.call::<Value>("echo", (Value::Nil,)).await;
    assert!(matches!(nil, Err(CallError::InvalidCall(_))), "{nil:?}");
    stop.shutdown();
    task.await.expect("join").expect("serve");
}

#[tokio::test]
async fn invalid_urls_are_refused() {
    for url in ["ftp://x/", "no scheme", "http://", "http://host:99999/"] {
        assert!(
            matches!(Client::new(url), Err(CallError::InvalidCall(_))),
            "{url}"
        );
    }
}

#[tokio::test]
async fn serves_in_memory_streams_from_a_channel() {
    let server = Server::new(site());
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let serving = tokio::spawn(async move { server.serve_incoming(rx).await });
    let (mut near, far) = tokio::io::duplex(64 * 1024);
    tx.send((far, None)).await.expect("send stream");
    let body = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
                <param><value><int>20</int></value></param>\
                <param><value><int>22</int></value></param></params></methodCall>";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    near.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    near.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("<int>42</int>"), "{answer}");
    // Dropping every sender ends the source: the server returns.
    drop(tx);
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("server returns when its source ends")
        .expect("join")
        .expect("serve");
}

#[tokio::test]
async fn serve_connection_drives_one_stream() {
    let server = Server::new(site());
    let (mut near, far) = tokio::io::duplex(4096);
    let one = tokio::spawn(async move { server.serve_connection(far, None).await });
    near.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    near.read_to_end(&mut answer).await.expect("read");
    assert!(answer.starts_with(b"HTTP/1.1 405 "));
    tokio::time::timeout(Duration::from_secs(5), one)
        .await
        .expect("connection ends")
        .expect("join");
}

#[cfg(unix)]
#[tokio::test]
async fn serves_a_unix_socket() {
    let dir = std::env::temp_dir().join(format!("xmlrpc-tokio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("rpc.sock");
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).expect("bind unix");
    let server = Server::new(site());
    let stop = server.shutdown_handle();
    let serving = tokio::spawn(async move { server.serve_incoming(listener).await });
    let mut s = tokio::net::UnixStream::connect(&path)
        .await
        .expect("connect");
    s.write_all(
        b"POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("write");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.expect("read");
    assert!(
        answer.starts_with(b"HTTP/1.1 404 "),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    stop.shutdown();
    serving.await.expect("join").expect("serve");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads until the peer closes; the time it took.
async fn time_until_closed(s: &mut TcpStream) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    (start.elapsed(), out)
}

#[tokio::test]
async fn deadlines_close_idle_and_slow_peers() {
    let mut limits = Limits::default();
    limits.idle_timeout = Duration::from_millis(300);
    limits.head_timeout = Duration::from_millis(400);
    let server = Server::builder(site()).limits(limits).build();
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;

    // A connection that never sends a byte is closed after the idle time.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    let (took, out) = time_until_closed(&mut idle).await;
    assert!(out.is_empty());
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(3),
        "{took:?}"
    );

    // A head trickling one byte every 100 ms is cut off at its deadline,
    // with 408, although bytes keep arriving.
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    let trickle = async {
        for b in b"POST / HTTP/1.1\r\nHost: x\r\nX-Long-Header: aaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let start = Instant::now();
    trickle.await;
    let mut out = Vec::new();
    let _ = slow.read_to_end(&mut out).await;
    let out = String::from_utf8_lossy(&out);
    assert!(out.starts_with("HTTP/1.1 408 "), "{out}");
    assert!(start.elapsed() < Duration::from_secs(8));

    stop.shutdown();
    task.await.expect("join").expect("serve");
}

#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections_at_once() {
    let server = Server::new(site());
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;
    let client = Client::new(&format!("http://{addr}/")).expect("client");
    let _: i32 = client.call("add", (1, 1)).await.expect("call");
    // The client now holds an idle kept-alive connection.
    let start = Instant::now();
    stop.shutdown();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("server stops without waiting for the idle timeout")
        .expect("join")
        .expect("serve");
    assert!(start.elapsed() < Duration::from_secs(2));
    // And the client notices the closed connection on its next call.
    let again = client.call::<i32>("add", (1, 1)).await;
    assert!(
        matches!(&again, Err(e) if e.transport().is_some()),
        "{again:?}"
    );
}

#[tokio::test]
async fn waiting_overload_queues_calls() {
    let server = Server::builder(site()).max_in_flight(1).build();
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;
    let client = Client::new(&format!("http://{addr}/")).expect("client");
    let start = Instant::now();
    let (a, b) = tokio::join!(
        client.call::<u64>("sleep", (200u64,)),
        client.call::<u64>("sleep", (200u64,)),
    );
    assert_eq!((a.expect("a"), b.expect("b")), (200, 200));
    // One at a time: the second waited for the first.
    assert!(
        start.elapsed() >= Duration::from_millis(390),
        "{:?}",
        start.elapsed()
    );
    stop.shutdown();
    task.await.expect("join").expect("serve");
}

#[tokio::test]
async fn a_server_that_accepts_but_never_answers_times_out() {
    // The kernel completes the handshake into the backlog of a listener
    // that never accepts: connecting succeeds, the answer never comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = Client::builder(&format!("http://{addr}/"))
        .connect_timeout(Duration::from_millis(200))
        .call_timeout(Duration::from_millis(600))
        .build()
        .expect("client");
    let start = Instant::now();
    let r = client.call::<Value>("echo", (1,)).await;
    assert!(matches!(&r, Err(e) if e.is_timeout()), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[tokio::test]
async fn a_kept_alive_connection_closed_by_the_server_is_replaced() {
    let mut limits = Limits::default();
    limits.idle_timeout = Duration::from_millis(100);
    let server = Server::builder(site()).limits(limits).build();
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;
    let client = Client::new(&format!("http://{addr}/")).expect("client");
    for i in 0..3 {
        let sum: i32 = client.call("add", (i, 1)).await.expect("call");
        assert_eq!(sum, i + 1);
        // Longer than the server's idle timeout: the pooled connection is
        // closed by the time of the next call.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    stop.shutdown();
    task.await.expect("join").expect("serve");
}

#[tokio::test]
async fn a_body_over_the_server_limit_is_reported() {
    let mut limits = Limits::default();
    limits.max_body_bytes = 64 * 1024;
    let server = Server::builder(site()).limits(limits).build();
    let stop = server.shutdown_handle();
    let (addr, task) = start(server).await;
    let client = Client::new(&format!("http://{addr}/")).expect("client");
    let big = "x".repeat(4 * 1024 * 1024);
    let r = client.call::<Value>("echo", (big,)).await;
    // The server answers 413 and closes without reading the body; the
    // client reports that answer, or, when the close reset the connection
    // before the answer could be read, a transport error.
    assert!(
        matches!(&r, Err(e) if e.http_status() == Some(413) || e.transport().is_some()),
        "{r:?}"
    );
    // The client is still usable.
    let sum: i32 = client.call("add", (1, 2)).await.expect("small call");
    assert_eq!(sum, 3);
    stop.shutdown();
    task.await.expect("join").expect("serve");
}
