const EVENT_BRIDGE_ELEMENT =
  /<EventBridgeConfiguration\b[^>]*\/>|<EventBridgeConfiguration\b[^>]*>[\s\S]*?<\/EventBridgeConfiguration>/g;

/**
 * Removes `<EventBridgeConfiguration>` from a PutBucketNotificationConfiguration body, so moto never emits its
 * own (differently shaped) S3 events; `enabled` says whether the element was there.
 */
export function stripEventBridgeConfiguration(xml: string): { readonly xml: string; readonly enabled: boolean } {
  const stripped = xml.replace(EVENT_BRIDGE_ELEMENT, '');
  return { xml: stripped, enabled: stripped !== xml };
}

/** Adds an empty `<EventBridgeConfiguration/>` to a GetBucketNotificationConfiguration reply body. */
export function addEventBridgeConfiguration(xml: string): string {
  const element = '<EventBridgeConfiguration></EventBridgeConfiguration>';
  // moto answers an empty configuration with a self-closing root element.
  const selfClosing = /<([A-Za-z][\w.-]*)(\s[^<>]*?)?\/>\s*$/.exec(xml);
  if (selfClosing !== null) {
    const [whole, name, attributes] = selfClosing;
    return `${xml.slice(0, selfClosing.index)}<${name ?? ''}${attributes ?? ''}>${element}</${name ?? ''}>${xml.slice(selfClosing.index + whole.length)}`;
  }
  const close = xml.lastIndexOf('</');
  return close < 0 ? xml : `${xml.slice(0, close)}${element}${xml.slice(close)}`;
}
