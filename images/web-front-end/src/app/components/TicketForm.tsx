import { useCallback, useEffect, useId, useState } from "react";
import { createOrder, getPrice, submitTrade } from "../api/traderx";
import { useSubscriptions } from "../bus/BusContext";
import { formatPrice, formatQuantity } from "../domain/format";
import { isFresher } from "../domain/prices";
import type { PriceTick, Side, Stock } from "../domain/types";
import { useAction } from "../hooks";
import { Banner, Progress } from "./Banner";
import { StockTypeahead } from "./StockTypeahead";

/** The live price of one ticker: REST quote and `pricing.<TICKER>` together, newest `asOf` wins. */
function useTickerPrice(ticker: string): PriceTick | undefined {
  const [tick, setTick] = useState<PriceTick | undefined>();
  const offer = useCallback(
    (candidate: PriceTick) =>
      setTick((held) => (candidate.ticker === ticker && isFresher(held, candidate) ? candidate : held)),
    [ticker],
  );
  useSubscriptions(ticker ? [`pricing.${ticker}`] : [], (payload) => offer(payload as PriceTick));
  useEffect(() => {
    setTick(undefined);
    if (!ticker) return;
    let current = true;
    getPrice(ticker).then(
      (quote) => current && offer(quote),
      () => undefined, // the stream still delivers a price
    );
    return () => {
      current = false;
    };
  }, [ticker, offer]);
  return tick;
}

interface NumberFieldProps {
  id: string;
  label: string;
  step: number;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}

function NumberField({ id, label, step, value, error, onChange }: NumberFieldProps) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={0}
        step={step}
        autoComplete="off"
        value={value}
        aria-invalid={!!error || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && <p className="field-error">{error}</p>}
    </>
  );
}

interface TicketErrors {
  security?: string;
  quantity?: string;
  limitPrice?: string;
}

/** Checks a ticket before anything is sent, so the user fixes it in place. */
function validateTicket(
  fields: { security: string; quantity: string; limitPrice?: string },
  stocks: readonly Stock[],
): TicketErrors {
  const errors: TicketErrors = {};
  if (!stocks.some((stock) => stock.ticker === fields.security))
    errors.security = "Choose a security from the list.";
  const quantity = Number(fields.quantity);
  if (!Number.isInteger(quantity) || quantity <= 0)
    errors.quantity = "Quantity must be a whole number above 0.";
  if (fields.limitPrice !== undefined) {
    const limit = Number(fields.limitPrice);
    if (fields.limitPrice.trim() === "" || !Number.isFinite(limit) || limit <= 0) {
      errors.limitPrice = "Limit price must be a number above 0.";
    }
  }
  return errors;
}

interface TicketFormProps {
  kind: "trade" | "order";
  accountId: number;
  stocks: readonly Stock[];
  initialSecurity?: string;
  onDone?: () => void;
}

/** The market trade ticket (F3) or the limit order ticket (contract 4.3), which adds a limit price. */
export function TicketForm({ kind, accountId, stocks, initialSecurity = "", onDone }: TicketFormProps) {
  const formId = useId();
  const [security, setSecurity] = useState(initialSecurity);
  const [side, setSide] = useState<Side>("Buy");
  const [quantity, setQuantity] = useState("");
  const [limitPrice, setLimitPrice] = useState("");
  const [limitTouched, setLimitTouched] = useState(false);
  const [errors, setErrors] = useState<TicketErrors>({});
  const action = useAction();
  const livePrice = useTickerPrice(security);

  useEffect(() => setSecurity(initialSecurity), [initialSecurity]);
  useEffect(() => {
    if (kind === "order" && livePrice && !limitTouched) setLimitPrice(livePrice.price.toFixed(3));
  }, [kind, livePrice, limitTouched]);
  useEffect(() => setLimitTouched(false), [security]);

  const submit = async () => {
    const fields = { security, quantity, limitPrice: kind === "order" ? limitPrice : undefined };
    const found = validateTicket(fields, stocks);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const ticket = { accountId, security, side, quantity: Number(quantity) };
    const done = await action.run(async () => {
      if (kind === "trade") {
        const accepted = await submitTrade(ticket);
        return `Trade submitted: ${side} ${formatQuantity(ticket.quantity)} ${security} at ${formatPrice(
          (accepted as { price?: number }).price,
        )}`;
      }
      const order = await createOrder({ ...ticket, limitPrice: Number(limitPrice) });
      return `Order ${order.orderId} created: ${side} ${formatQuantity(order.quantity)} ${order.security} limit ${formatPrice(order.limitPrice)}`;
    });
    if (done) {
      setQuantity("");
      onDone?.();
    }
  };

  const title = kind === "trade" ? "Trade Ticket" : "Order Ticket";
  return (
    <form
      className="ticket"
      aria-label={title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>{title}</h3>
      <StockTypeahead
        label="Security"
        stocks={stocks}
        value={security}
        onChange={setSecurity}
        invalid={!!errors.security}
      />
      {errors.security && <p className="field-error">{errors.security}</p>}
      <p className="live-price" data-testid={`${kind}-live-price`}>
        Live price: {livePrice ? formatPrice(livePrice.price) : "—"}
      </p>
      <fieldset className="side">
        <legend>Side</legend>
        {(["Buy", "Sell"] as const).map((option) => (
          <label key={option}>
            <input
              type="radio"
              name={`${formId}-side`}
              value={option}
              checked={side === option}
              onChange={() => setSide(option)}
            />
            {option}
          </label>
        ))}
      </fieldset>
      <NumberField
        id={`${formId}-quantity`}
        label="Quantity"
        step={1}
        value={quantity}
        error={errors.quantity}
        onChange={setQuantity}
      />
      {kind === "order" && (
        <NumberField
          id={`${formId}-limit`}
          label="Limit price"
          step={0.001}
          value={limitPrice}
          error={errors.limitPrice}
          onChange={(value) => {
            setLimitTouched(true);
            setLimitPrice(value);
          }}
        />
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {kind === "trade" ? "Submit Trade" : "Create Order"}
        </button>
        {action.busy && <Progress label={kind === "trade" ? "Submitting trade…" : "Creating order…"} />}
      </div>
      <Banner result={action.result} onClose={action.clear} />
    </form>
  );
}
