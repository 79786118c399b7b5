/**
 * The GS1 REST binding headers this repository announces on OPTIONS and on its
 * answers: EPCIS and CBV versions, identifier formats, extensions. One list for
 * the capture side (gateway) and the query side (indexer).
 */
export const GS1_HEADERS: Readonly<Record<string, string>> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-EPCIS-Min': '2.0.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-CBV-Min': '2.0.0',
  'GS1-CBV-Max': '2.0.0',
  'GS1-EPC-Format': 'Never_Translates',
  'GS1-CBV-XML-Format': 'Never_Translates',
  'GS1-Extensions': 'ct=urn:coffee-trace:ns:',
  'GS1-Vendor-Version': 'coffee-trace-2.0',
};
