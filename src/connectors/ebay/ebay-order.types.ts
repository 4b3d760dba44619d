/**
 * The subset of the Sell Fulfillment API's `Order` (sell_fulfillment_v1_oas3 v1.20.7) that the
 * connector reads and the simulator serves. Every field is optional as in the contract; money is
 * `{value: "12.34", currency: "USD"}`.
 */
export interface EbayAmount {
  value?: string;
  currency?: string;
}

export interface EbayAddress {
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  stateOrProvince?: string;
  postalCode?: string;
  countryCode?: string;
  county?: string;
}

export interface EbayContact {
  fullName?: string;
  companyName?: string;
  email?: string;
  primaryPhone?: { phoneNumber?: string };
  contactAddress?: EbayAddress;
}

export interface EbayLineItem {
  lineItemId?: string;
  legacyItemId?: string;
  legacyVariationId?: string;
  sku?: string;
  title?: string;
  quantity?: number;
  lineItemCost?: EbayAmount;
  total?: EbayAmount;
  lineItemFulfillmentStatus?: string;
}

export interface EbayRefund {
  refundId?: string;
  refundStatus?: string;
  refundDate?: string;
  amount?: EbayAmount;
}

export interface EbayOrder {
  orderId?: string;
  creationDate?: string;
  lastModifiedDate?: string;
  orderFulfillmentStatus?: string;
  orderPaymentStatus?: string;
  salesRecordReference?: string;
  sellerId?: string;
  buyerCheckoutNotes?: string;
  buyer?: { username?: string; buyerRegistrationAddress?: EbayContact };
  cancelStatus?: {
    cancelState?: string;
    cancelledDate?: string;
    cancelRequests?: { cancelReason?: string }[];
  };
  fulfillmentStartInstructions?: { shippingStep?: { shipTo?: EbayContact; shippingCarrierCode?: string } }[];
  lineItems?: EbayLineItem[];
  pricingSummary?: {
    priceSubtotal?: EbayAmount;
    priceDiscount?: EbayAmount;
    deliveryCost?: EbayAmount;
    deliveryDiscount?: EbayAmount;
    tax?: EbayAmount;
    adjustment?: EbayAmount;
    total?: EbayAmount;
  };
  paymentSummary?: {
    payments?: { amount?: EbayAmount; paymentStatus?: string; paymentDate?: string }[];
    refunds?: EbayRefund[];
    totalDueSeller?: EbayAmount;
  };
}

/** getOrders' answer (`OrderSearchPagedCollection`). */
export interface EbayOrderPage {
  href?: string;
  limit?: number;
  offset?: number;
  total?: number;
  next?: string;
  prev?: string;
  orders?: EbayOrder[];
}
