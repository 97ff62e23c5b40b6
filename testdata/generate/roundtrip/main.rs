//! Loopback round trip over the generated orders crate: a server on 127.0.0.1:0 and a client
//! calling every RPC kind, plus one call that returns an error status. Exits non-zero on failure.
//! Built and run by tests/suite/generate_build.rs; not part of protoforge itself.

use std::pin::Pin;

use orders_v1::common::v1::{AuditEntry, Currency, Money};
use orders_v1::orders::v1::order::{Card, LineItem, Payment};
use orders_v1::orders::v1::order_service_client::OrderServiceClient;
use orders_v1::orders::v1::order_service_server::{OrderService, OrderServiceServer};
use orders_v1::orders::v1::{
    GetOrderRequest, ListOrdersRequest, Order, OrderEvent, OrderRef, OrderStatus, UploadOrdersResponse,
};
use prost_types::Timestamp;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Code, Request, Response, Status, Streaming};

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn sample(id: &str, customer: &str) -> Order {
    Order {
        id: id.to_string(),
        customer: customer.to_string(),
        items: vec![LineItem {
            sku: "sku-1".to_string(),
            quantity: 2,
            unit_price: Some(Money { currency: Currency::Eur as i32, units: 12, nanos: 500_000_000 }),
        }],
        status: OrderStatus::Placed as i32,
        created_at: Some(Timestamp { seconds: 1_700_000_000, nanos: 7 }),
        labels: [("channel".to_string(), "web".to_string())].into_iter().collect(),
        payment: Some(Payment::Card(Card { last4: "4242".to_string() })),
        history: vec![AuditEntry {
            order: Some(OrderRef { id: id.to_string() }),
            actor: "alice".to_string(),
            at: Some(Timestamp { seconds: 1_700_000_001, nanos: 0 }),
        }],
    }
}

struct Shop;

#[tonic::async_trait]
impl OrderService for Shop {
    async fn get_order(&self, request: Request<GetOrderRequest>) -> Result<Response<Order>, Status> {
        let id = request.into_inner().id;
        if id == "o-1" {
            Ok(Response::new(sample(&id, "bob")))
        } else {
            Err(Status::not_found(format!("order {id} not found")))
        }
    }

    type ListOrdersStream = BoxStream<Order>;

    async fn list_orders(
        &self,
        request: Request<ListOrdersRequest>,
    ) -> Result<Response<Self::ListOrdersStream>, Status> {
        let customer = request.into_inner().customer;
        let orders: Vec<Result<Order, Status>> =
            (1..=3).map(|i| Ok(sample(&format!("o-{i}"), &customer))).collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(orders))))
    }

    async fn upload_orders(
        &self,
        request: Request<Streaming<Order>>,
    ) -> Result<Response<UploadOrdersResponse>, Status> {
        let mut stream = request.into_inner();
        let mut stored = 0;
        while let Some(order) = stream.message().await? {
            if order.labels.get("channel").map(String::as_str) != Some("web") {
                return Err(Status::invalid_argument("map field lost in transit"));
            }
            stored += 1;
        }
        Ok(Response::new(UploadOrdersResponse { stored }))
    }

    type TrackOrdersStream = BoxStream<OrderEvent>;

    async fn track_orders(
        &self,
        request: Request<Streaming<OrderRef>>,
    ) -> Result<Response<Self::TrackOrdersStream>, Status> {
        let events = request.into_inner().map(|order| {
            order.map(|order| OrderEvent {
                order: Some(order),
                status: OrderStatus::Shipped as i32,
                at: Some(Timestamp { seconds: 42, nanos: 0 }),
            })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn ping(&self, _request: Request<()>) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(OrderServiceServer::new(Shop))
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                let _ = stopped.await;
            }),
    );
    let mut client = OrderServiceClient::connect(format!("http://{addr}")).await?;

    // Unary, with every field kind coming back intact.
    let order = client.get_order(GetOrderRequest { id: "o-1".to_string() }).await?.into_inner();
    assert_eq!(order, sample("o-1", "bob"));
    assert_eq!(order.status(), OrderStatus::Placed);
    println!("unary: ok ({} items, paid by {:?})", order.items.len(), order.payment);

    // Unary returning an error status.
    let err = client.get_order(GetOrderRequest { id: "nope".to_string() }).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(err.message(), "order nope not found");
    println!("error status: ok ({:?}: {})", err.code(), err.message());

    // Server streaming.
    let mut stream = client.list_orders(ListOrdersRequest { customer: "carol".to_string() }).await?.into_inner();
    let mut ids = Vec::new();
    while let Some(order) = stream.message().await? {
        assert_eq!(order.customer, "carol");
        ids.push(order.id);
    }
    assert_eq!(ids, ["o-1", "o-2", "o-3"]);
    println!("server streaming: ok ({} messages)", ids.len());

    // Client streaming.
    let uploads = tokio_stream::iter((0..5).map(|i| sample(&format!("u-{i}"), "dave")));
    let stored = client.upload_orders(uploads).await?.into_inner().stored;
    assert_eq!(stored, 5);
    println!("client streaming: ok ({stored} stored)");

    // Bidirectional streaming.
    let refs = tokio_stream::iter(["a", "b"].map(|id| OrderRef { id: id.to_string() }));
    let mut events = client.track_orders(refs).await?.into_inner();
    let mut seen = Vec::new();
    while let Some(event) = events.message().await? {
        assert_eq!(event.status(), OrderStatus::Shipped);
        seen.push(event.order.map(|o| o.id).unwrap_or_default());
    }
    assert_eq!(seen, ["a", "b"]);
    println!("bidi streaming: ok ({} events)", seen.len());

    // google.protobuf.Empty maps to ().
    client.ping(()).await?;
    println!("empty: ok");

    let _ = stop.send(());
    server.await??;
    println!("round trip ok");
    Ok(())
}
