"""The ITS customer-service desk's tools, defined once and reused from chapter 02 on.

Plain Python functions over small in-memory data, so that every lesson gets the same answers
(no network, no database). Chapter 02 shows how each becomes a tool; the `*_tool` objects at
the bottom are the ready `@function_tool` versions the later chapters import:

    from workbook.course_tools import weather_tool, order_tool
"""

from __future__ import annotations

from typing import Literal

WEATHER = {
    "beijing": ("Beijing", "sunny", 25), "shanghai": ("Shanghai", "cloudy", 22),
    "guangzhou": ("Guangzhou", "rainy", 28), "shenzhen": ("Shenzhen", "rainy", 29),
    "hangzhou": ("Hangzhou", "cloudy", 21), "wuhan": ("Wuhan", "sunny", 26),
    "tokyo": ("Tokyo", "cloudy", 18), "paris": ("Paris", "rainy", 14), "london": ("London", "foggy", 12),
    "new york": ("New York", "sunny", 17), "madrid": ("Madrid", "sunny", 24), "warsaw": ("Warsaw", "snowy", -2),
    "北京": ("北京", "晴", 25), "上海": ("上海", "多云", 22), "广州": ("广州", "小雨", 28),
    "深圳": ("深圳", "小雨", 29), "杭州": ("杭州", "多云", 21), "武汉": ("武汉", "晴", 26),
    "东京": ("东京", "多云", 18),
}
ORDERS = {
    "A1001": {"order_id": "A1001", "status": "shipped", "item": "Wireless earbuds", "eta": "2 days"},
    "A1002": {"order_id": "A1002", "status": "processing", "item": "Smart watch", "eta": "5 days"},
    "A1003": {"order_id": "A1003", "status": "delivered", "item": "USB-C charger", "eta": "delivered"},
    "B2001": {"order_id": "B2001", "status": "cancelled", "item": "Laptop stand", "eta": "n/a"},
}
PRODUCTS = {
    "P100": {"sku": "P100", "name": "Wireless earbuds", "price": 299.0, "currency": "CNY", "stock": 42},
    "P200": {"sku": "P200", "name": "Smart watch", "price": 899.0, "currency": "CNY", "stock": 0},
    "P300": {"sku": "P300", "name": "USB-C charger", "price": 99.0, "currency": "CNY", "stock": 310},
    "P400": {"sku": "P400", "name": "Laptop stand", "price": 159.0, "currency": "CNY", "stock": 12},
}
# Units of each currency per 1 CNY (fixed, so lessons always print the same numbers).
RATES = {"CNY": 1.0, "USD": 0.14, "EUR": 0.13, "JPY": 21.0, "GBP": 0.11, "PLN": 0.56, "HKD": 1.09}


def get_weather(city: str) -> dict:
    """Get the current weather for a city (查询城市天气).

    Args:
        city: The city name, in English or Chinese, e.g. "Beijing" or "北京".
    """
    name, condition, temperature = WEATHER.get(city.strip().lower(), (city, "sunny", 20))
    return {"city": name, "condition": condition, "temperature_c": temperature}


def query_order(order_id: str) -> dict:
    """Look up an order's status and delivery estimate by its order id (查询订单状态).

    Args:
        order_id: The order id, e.g. "A1001".
    """
    order = ORDERS.get(order_id.strip().upper().lstrip("#"))
    if order is None:
        return {"order_id": order_id, "status": "not found"}
    return dict(order)


def search_product(keyword: str) -> list[dict]:
    """Search the product catalog by keyword and return matching products with price and stock (搜索商品).

    Args:
        keyword: Words from the product name, e.g. "earbuds" or "watch".
    """
    words = keyword.lower().split()
    hits = [dict(p) for p in PRODUCTS.values()
            if any(w in p["name"].lower() or w == p["sku"].lower() for w in words)]
    return hits or [dict(p) for p in PRODUCTS.values()]


def check_inventory(sku: str) -> dict:
    """Check how many units of a product (by SKU) are in stock (查询库存).

    Args:
        sku: The product SKU, e.g. "P100".
    """
    product = PRODUCTS.get(sku.strip().upper())
    if product is None:
        return {"sku": sku, "in_stock": False, "units": 0, "note": "unknown SKU"}
    return {"sku": product["sku"], "in_stock": product["stock"] > 0, "units": product["stock"]}


def calculate_price(sku: str, quantity: int) -> dict:
    """Calculate the total price for a quantity of a product, in CNY (计算价格).

    Args:
        sku: The product SKU, e.g. "P100".
        quantity: How many units.
    """
    product = PRODUCTS.get(sku.strip().upper())
    if product is None:
        raise ValueError(f"unknown SKU {sku!r}")
    return {"sku": product["sku"], "quantity": quantity, "total": round(product["price"] * quantity, 2),
            "currency": "CNY"}


def convert_currency(amount: float, from_currency: str, to_currency: str) -> dict:
    """Convert an amount of money from one currency to another at the course's fixed exchange rates (货币换算).

    Args:
        amount: The amount of money to convert.
        from_currency: ISO code of the currency to convert from, e.g. "CNY".
        to_currency: ISO code of the currency to convert to, e.g. "USD".
    """
    source, target = from_currency.strip().upper(), to_currency.strip().upper()
    if source not in RATES or target not in RATES:
        raise ValueError(f"unsupported currency: {source if source not in RATES else target}")
    converted = amount / RATES[source] * RATES[target]
    return {"amount": amount, "from": source, "to": target, "result": round(converted, 2)}


_TICKETS: list[dict] = []


def create_ticket(subject: str, priority: Literal["low", "medium", "high"] = "medium") -> dict:
    """Open a customer-support ticket (工单) with a subject and a priority.

    Args:
        subject: What the customer needs help with.
        priority: How urgent it is: low, medium or high.
    """
    ticket = {"ticket_id": f"T{1000 + len(_TICKETS) + 1}", "subject": subject, "priority": priority,
              "status": "open"}
    _TICKETS.append(ticket)
    return ticket


def open_rma(order_id: str, reason: str) -> dict:
    """Open a return / refund (RMA, 退货退款) for an order, with the customer's reason.

    Args:
        order_id: The order to return, e.g. "A1003".
        reason: Why the customer returns it.
    """
    order = ORDERS.get(order_id.strip().upper().lstrip("#"))
    if order is None:
        return {"order_id": order_id, "rma_id": None, "status": "rejected: order not found"}
    return {"order_id": order["order_id"], "rma_id": f"RMA-{order['order_id']}", "status": "approved",
            "reason": reason, "refund_to": "original payment method"}


# The ready tools: weather_tool = function_tool(get_weather), and so on. Each is made on first use
# (and then kept), because chapter 06's MCP server imports only the plain functions above: a
# server has no use for the Agents SDK, whose import would cost a second at every server start.
_TOOLS = {"weather_tool": get_weather, "order_tool": query_order, "product_search_tool": search_product,
          "inventory_tool": check_inventory, "price_tool": calculate_price, "currency_tool": convert_currency,
          "ticket_tool": create_ticket, "rma_tool": open_rma}


def __getattr__(name: str):
    if name == "ALL_TOOLS":
        value = [globals().get(tool) or __getattr__(tool) for tool in _TOOLS]
    elif name in _TOOLS:
        from agents import function_tool

        value = function_tool(_TOOLS[name])
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
