//! The blocking server and client over loopback, beyond the shared suite
//! (`tests/`): raw bodies, async procedures on the workers, more
//! kept-alive connections than workers, and peers trickling requests.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use event_listener::Event;
use xmlrpc_blocking::{
    CallError, Client, Dispatcher, Fault, MethodCall, Server, ServerBuilderExt, ShutdownHandle,
    Site, Value,
};

fn site() -> Site {
    let mut d = Dispatcher::new();
    d.register("add", |a: i32, b: i32| a + b);
    d.register("fault", || -> Result<Value, Fault> {
        Err(Fault::new(7, "seven"))
    });
    // Pending until another thread wakes it: the worker parks in
    // `block_on` and goes on when woken.
    d.register_async("later", |x: Value| {
        let done = Arc::new(Event::new());
        let woken = done.listen();
        let slot = Arc::new(Mutex::new(None));
        let (notify, fill) = (Arc::clone(&done), Arc::clone(&slot));
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            *fill.lock().expect("slot") = Some(x);
            notify.notify(1);
        });
        async move {
            woken.await;
            slot.lock().expect("slot").take().unwrap_or(Value::Nil)
        }
    });
    Site::standard(d)
}

fn start(
    workers: usize,
) -> (
    String,
    ShutdownHandle,
    thread::JoinHandle<std::io::Result<()>>,
) {
    let server = Server::builder(site()).workers(workers).build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/RPC2", listener.local_addr().expect("addr"));
    let stop = server.shutdown_handle();
    let serving = thread::spawn(move || server.serve(listener));
    (url, stop, serving)
}

#[test]
fn raw_bodies_faults_and_async_procedures() {
    let (url, stop, serving) = start(2);
    let client = Client::new(&url).expect("client");
    let raw = client
        .call_raw(&MethodCall::new("add", vec![Value::Int(2), Value::Int(3)]))
        .expect("answer");
    assert_eq!(raw.head.status, 200);
    assert_eq!(raw.result, Ok(Value::Int(5)));
    let body = String::from_utf8(raw.body).expect("UTF-8");
    assert!(body.starts_with("<?xml"), "{body}");
    assert!(body.contains("<int>5</int>"), "{body}");

    let raw = client
        .call_raw(&MethodCall::new("fault", vec![]))
        .expect("a fault is an answer");
    assert_eq!(raw.result, Err(Fault::new(7, "seven")));
    assert!(String::from_utf8_lossy(&raw.body).contains("<name>faultCode</name>"));
    let e = client.call::<Value>("fault", ()).expect_err("fault");
    assert!(matches!(e, CallError::Fault(ref f) if f.code == 7), "{e}");

    let v: String = client.call("later", ("x",)).expect("async procedure");
    assert_eq!(v, "x");

    stop.shutdown();
    assert!(stop.is_shutdown());
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn more_kept_alive_connections_than_workers() {
    let (url, stop, serving) = start(2);
    // Six clients, each keeping its own connection open between calls:
    // two workers must take turns among them.
    let clients: Vec<Client> = (0..6).map(|_| Client::new(&url).expect("client")).collect();
    let started = Instant::now();
    thread::scope(|s| {
        for (i, c) in clients.iter().enumerate() {
            s.spawn(move || {
                for j in 0..20 {
                    let i = i32::try_from(i).expect("small");
                    let sum: i32 = c.call("add", (i, j)).expect("add");
                    assert_eq!(sum, i + j);
                }
            });
        }
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}

#[test]
fn peers_trickling_requests_do_not_hold_the_workers() {
    use std::io::Write;
    let (url, stop, serving) = start(2);
    let addr = url
        .strip_prefix("http://")
        .and_then(|r| r.strip_suffix("/RPC2"))
        .expect("URL shape")
        .to_owned();
    // Four peers that send half a head and then nothing: more than the
    // workers, each in the middle of a request.
    let slow: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).expect("connect");
            s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
                .expect("write");
            s
        })
        .collect();
    thread::sleep(Duration::from_millis(100));
    let client = Client::builder(&url)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let sum: i32 = client
        .call("add", (2, 2))
        .expect("served beside the slow peers");
    assert_eq!(sum, 4);
    drop(slow);
    stop.shutdown();
    serving.join().expect("server thread").expect("serve");
}
