//! The TikTok Shop side of the order webhook: its signatures (the webhook's,
//! and the API requests'), the client that fetches an order's detail, and
//! the reading of a 202309 order-detail response.

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::DateTime;
use hmac::{Hmac, Mac};
use livehire_domain::money;
use livehire_store::TiktokShopRecord;
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::Sha256;

use super::outbound;

/// The public TikTok Shop API host, used when neither the server
/// (`LIVEHIRE_TIKTOK_SHOP_API_URL`) nor the shop's connection names another.
pub const DEFAULT_API_URL: &str = "https://open-api.tiktokglobalshop.com";

/// The order-detail endpoint (API version 202309), below the base URL.
const ORDER_DETAIL_PATH: &str = "/order/202309/orders";

/// How long the order-detail fetch may take: TikTok expects a quick answer
/// and retries a failed delivery.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The TikTok Shop API client and the server's default base URL.
pub(crate) struct ShopApi {
    /// For the operator's base URL (trusted).
    http: reqwest::Client,
    /// For a base URL an agent gave with its shop: public addresses only.
    guarded: reqwest::Client,
    default_base: RwLock<String>,
    /// The operator let shops name private or plain-http base URLs.
    allow_private: AtomicBool,
}

fn client(builder: reqwest::ClientBuilder) -> reqwest::Client {
    builder
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

impl Default for ShopApi {
    fn default() -> Self {
        Self {
            http: client(reqwest::Client::builder()),
            guarded: client(reqwest::Client::builder().dns_resolver(outbound::PublicOnly)),
            default_base: RwLock::new(DEFAULT_API_URL.to_string()),
            allow_private: AtomicBool::new(false),
        }
    }
}

impl ShopApi {
    /// Lets shops name base URLs on this machine or network, or plain http
    /// (an operator running a stand-in API).
    pub(super) fn set_allow_private(&self, allow: bool) {
        self.allow_private.store(allow, Ordering::Relaxed);
    }

    /// Why a base URL given with a shop is refused, if it is.
    pub(super) fn refuse_shop_url(&self, url: &reqwest::Url) -> Option<String> {
        if self.allow_private.load(Ordering::Relaxed) {
            return None;
        }
        outbound::check_public_url(url).err()
    }

    /// Sets the base URL used for shops connected without one.
    pub(super) fn set_default_base(&self, url: &str) {
        if let Ok(mut b) = self.default_base.write() {
            *b = url.trim_end_matches('/').to_string();
        }
    }

    /// Fetches an order's detail from the shop's TikTok Shop API; `now_s` is
    /// the request's signed timestamp.
    pub(super) async fn fetch_order(
        &self,
        shop: &TiktokShopRecord,
        order_id: &str,
        now_s: i64,
    ) -> Result<OrderDetail, String> {
        let (base, http) = match &shop.api_base_url {
            Some(b) if self.allow_private.load(Ordering::Relaxed) => (b.clone(), &self.http),
            Some(b) => {
                let url = reqwest::Url::parse(b).map_err(|e| format!("bad API URL {b:?}: {e}"))?;
                if let Some(why) = outbound::check_public_url(&url).err() {
                    return Err(format!("the shop's API URL {why}"));
                }
                (b.clone(), &self.guarded)
            }
            None => (
                self.default_base
                    .read()
                    .map(|b| b.clone())
                    .unwrap_or_else(|_| DEFAULT_API_URL.to_string()),
                &self.http,
            ),
        };
        let ts = now_s.to_string();
        let mut params = vec![
            ("app_key", shop.app_key.as_str()),
            ("ids", order_id),
            ("timestamp", ts.as_str()),
        ];
        if let Some(cipher) = &shop.shop_cipher {
            params.push(("shop_cipher", cipher.as_str()));
        }
        let sign = api_sign(&shop.app_secret, ORDER_DETAIL_PATH, &params, "")?;
        params.push(("sign", &sign));
        let url = reqwest::Url::parse_with_params(
            &format!("{}{ORDER_DETAIL_PATH}", base.trim_end_matches('/')),
            &params,
        )
        .map_err(|e| format!("bad API URL {base:?}: {e}"))?;
        let mut req = http.get(url).header("content-type", "application/json");
        if let Some(token) = &shop.access_token {
            req = req.header("x-tts-access-token", token);
        }
        let resp = req.send().await.map_err(|e| format!("request: {e}"))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("TikTok Shop API answered HTTP {status}"));
        }
        let v: Value = resp.json().await.map_err(|e| format!("response: {e}"))?;
        parse_order_detail(&v, order_id)
    }
}

/// One product of an order: its units and what they sold for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProductLine {
    pub product_id: String,
    pub quantity: u64,
    pub amount: Decimal,
}

/// The parts of a 202309 order detail that the webhook uses.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OrderDetail {
    /// `create_time`, epoch ms.
    pub create_ms: i64,
    /// `payment.currency`.
    pub currency: String,
    /// `payment.total_amount`.
    pub total: Decimal,
    /// `user_id`.
    pub buyer: Option<String>,
    /// `line_items`, grouped by product.
    pub products: Vec<ProductLine>,
}

/// An id given as a non-empty string or an integer (read as its digits).
pub(super) fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// Whether `header` is the hex HMAC-SHA256, keyed by the app secret, of the app
/// key followed by the raw body (compared in constant time).
pub(super) fn signature_ok(shop: &TiktokShopRecord, header: &str, body: &[u8]) -> bool {
    let Ok(given) = hex::decode(header.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(shop.app_secret.as_bytes()) else {
        return false;
    };
    mac.update(shop.app_key.as_bytes());
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// A TikTok Shop API request signature: hex HMAC-SHA256, keyed by the app
/// secret, of secret + path + the query pairs sorted by key as `{key}{value}`
/// (without `sign` and `access_token`) + body + secret.
fn api_sign(
    secret: &str,
    path: &str,
    params: &[(&str, &str)],
    body: &str,
) -> Result<String, String> {
    let mut sorted: Vec<_> = params
        .iter()
        .filter(|(k, _)| *k != "sign" && *k != "access_token")
        .collect();
    sorted.sort();
    let mut text = String::from(secret);
    text.push_str(path);
    for (k, v) in sorted {
        text.push_str(k);
        text.push_str(v);
    }
    text.push_str(body);
    text.push_str(secret);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| e.to_string())?;
    mac.update(text.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Reads the order `order_id` from a 202309 order-detail response, its line
/// items (one per unit) grouped by product in the order they first appear.
fn parse_order_detail(v: &Value, order_id: &str) -> Result<OrderDetail, String> {
    match v["code"].as_i64() {
        Some(0) => {}
        code => {
            return Err(format!(
                "TikTok Shop API answered code {}: {}",
                code.map_or_else(|| "?".to_string(), |c| c.to_string()),
                v["message"].as_str().unwrap_or("")
            ));
        }
    }
    let order = v["data"]["orders"]
        .as_array()
        .and_then(|orders| {
            orders
                .iter()
                .find(|o| id_of(&o["id"]).as_deref() == Some(order_id))
        })
        .ok_or_else(|| format!("order {order_id} is not in the response"))?;
    let create_s = match &order["create_time"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or("order.create_time: must be epoch seconds")?;
    let create_ms = create_s
        .checked_mul(1000)
        .filter(|ms| DateTime::from_timestamp_millis(*ms).is_some())
        .ok_or("order.create_time: out of range")?;
    let currency = order["payment"]["currency"]
        .as_str()
        .ok_or("order.payment.currency: required")?
        .to_string();
    let total = money::parse_amount(&order["payment"]["total_amount"])
        .map_err(|e| format!("order.payment.total_amount: {e}"))?;
    let mut products: Vec<ProductLine> = Vec::new();
    for (i, item) in order["line_items"]
        .as_array()
        .ok_or("order.line_items: required")?
        .iter()
        .enumerate()
    {
        let product_id = id_of(&item["product_id"])
            .ok_or_else(|| format!("order.line_items[{i}].product_id: required"))?;
        let price = money::parse_amount(&item["sale_price"])
            .map_err(|e| format!("order.line_items[{i}].sale_price: {e}"))?;
        match products.iter_mut().find(|p| p.product_id == product_id) {
            Some(p) => {
                p.quantity += 1;
                p.amount += price;
            }
            None => products.push(ProductLine {
                product_id,
                quantity: 1,
                amount: price,
            }),
        }
    }
    if products.is_empty() {
        return Err("order.line_items: empty".into());
    }
    Ok(OrderDetail {
        create_ms,
        currency,
        total,
        buyer: id_of(&order["user_id"]),
        products,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dec(minor: i64) -> Decimal {
        Decimal::new(minor, 2)
    }

    fn shop() -> TiktokShopRecord {
        TiktokShopRecord {
            shop_id: "7494".into(),
            agent_id: "ph_agent_x".into(),
            app_key: "6abc".into(),
            app_secret: "s3cret".into(),
            access_token: None,
            api_base_url: None,
            shop_cipher: None,
            created_at: String::new(),
            updated_at: String::new(),
            proven_at: None,
        }
    }

    #[test]
    fn the_signature_is_the_hmac_of_app_key_and_body_keyed_by_the_secret() {
        let body = br#"{"type":1,"shop_id":"7494"}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(b"6abc");
        mac.update(body);
        let good = hex::encode(mac.finalize().into_bytes());
        assert!(signature_ok(&shop(), &good, body));
        assert!(signature_ok(&shop(), &good.to_uppercase(), body));
        assert!(!signature_ok(&shop(), &good, b"{}"));
        assert!(!signature_ok(&shop(), "not hex", body));
        assert!(!signature_ok(&shop(), &good[..10], body));
    }

    #[test]
    fn line_items_group_by_product_in_first_seen_order() {
        let v = json!({"code": 0, "data": {"orders": [{
        "id": "576", "create_time": 1_900_000_000, "user_id": "buyer_1",
        "payment": {"total_amount": "358.50", "currency": "CNY"},
        "line_items": [
            {"sku_id": "s1", "product_id": "p2", "sale_price": "119.50"},
            {"sku_id": "s2", "product_id": "p1", "sale_price": "119.50"},
            {"sku_id": "s1", "product_id": "p2", "sale_price": "119.50"}
        ]}]}});
        let d = parse_order_detail(&v, "576").unwrap();
        assert_eq!(d.create_ms, 1_900_000_000_000);
        assert_eq!(d.total, dec(35850));
        assert_eq!(d.buyer.as_deref(), Some("buyer_1"));
        let got: Vec<_> = d
            .products
            .iter()
            .map(|p| (p.product_id.as_str(), p.quantity, p.amount))
            .collect();
        assert_eq!(got, [("p2", 2, dec(23900)), ("p1", 1, dec(11950))]);
        assert!(parse_order_detail(&v, "577").is_err());
        let err = parse_order_detail(&json!({"code": 105001, "message": "bad sign"}), "576");
        assert_eq!(
            err.unwrap_err(),
            "TikTok Shop API answered code 105001: bad sign"
        );
    }

    #[test]
    fn api_requests_are_signed_over_sorted_params_without_sign() {
        let a = api_sign(
            "sec",
            "/order/202309/orders",
            &[("timestamp", "1"), ("app_key", "k"), ("ids", "9")],
            "",
        )
        .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"sec").unwrap();
        mac.update(b"sec/order/202309/ordersapp_keykids9timestamp1sec");
        assert_eq!(a, hex::encode(mac.finalize().into_bytes()));
    }

    #[tokio::test]
    async fn an_https_base_url_is_fetched_over_tls() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_bytes = tokio::spawn(async move {
            let accepted = tokio::time::timeout(Duration::from_secs(10), listener.accept());
            let (mut conn, _) = accepted.await.expect("a connection").unwrap();
            let mut buf = [0u8; 6];
            conn.read_exact(&mut buf).await.unwrap();
            buf
        });
        let mut shop = shop();
        shop.api_base_url = Some(format!("https://127.0.0.1:{port}"));
        let api = ShopApi::default();
        // A loopback base URL is refused before any connection...
        let refused = api
            .fetch_order(&shop, "576", 1_900_000_000)
            .await
            .unwrap_err();
        assert!(refused.contains("non-public address"), "{refused}");
        // ...unless the operator allows it.
        api.set_allow_private(true);
        let err = api
            .fetch_order(&shop, "576", 1_900_000_000)
            .await
            .unwrap_err();
        let hello = first_bytes.await.unwrap();
        // A TLS record of type handshake (22) carrying a ClientHello (1).
        assert_eq!((hello[0], hello[5]), (22, 1), "{hello:?}; fetch said {err}");
    }
}
