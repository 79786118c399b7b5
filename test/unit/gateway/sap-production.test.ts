import { expect } from 'chai';
import { idocToCommands as mapIdoc } from '../../../gateway/src/adapters/sap/idoc';

/** The ledger commands an IDoc maps to, in order. */
const idocToCommands = (xml: string, m: Parameters<typeof mapIdoc>[1]) => mapIdoc(xml, m).commands.map((c) => c.cmd);
import { SAP_MAPPINGS } from './fakes';

const wmmbxy = (
  items: string,
) => `<WMMBID02><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>55</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
  <E1MBXYH SEGMENT="1"><MBLNR>4900000777</MBLNR>${items}</E1MBXYH></IDOC></WMMBID02>`;
const item = (bwart: string, batch: string, qty: string, extra = '') =>
  `<E1MBXYI SEGMENT="1"><ZEILE>${batch.length}</ZEILE><MATNR>4711</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>${batch}</CHARG><BWART>${bwart}</BWART><ERFMG>${qty}</ERFMG>${extra}</E1MBXYI>`;
const problemOf = (fn: () => unknown): { httpStatus: number; details: { errors: Array<{ field: string; message: string }> } } => {
  try {
    fn();
  } catch (err) {
    return err as never;
  }
  return expect.fail('should throw');
};

describe("SAP production: 261 issues and the order's 101 receipt become one transformation", () => {
  it('maps the issues of a production order to inputs and its receipt to outputs', () => {
    const cmds = idocToCommands(
      wmmbxy(
        item('261', 'GC-1', '600', '<AUFNR>1000123</AUFNR>') +
          item('261', 'GC-22', '120,5', '<AUFNR>1000123</AUFNR>') +
          item('101', 'RB-333', '580', '<AUFNR>1000123</AUFNR>'),
      ),
      SAP_MAPPINGS,
    );
    expect(cmds).to.have.length(1);
    expect(cmds[0].fn).to.equal('TransformLots');
    expect(cmds[0].body).to.deep.include({ gln: '4000001000005', workOrder: '1000123' });
    expect(cmds[0].body.inputs).to.deep.equal([
      { gtin: '04000001000012', lotCode: 'GC-1', quantity: '600' },
      { gtin: '04000001000012', lotCode: 'GC-22', quantity: '120.5' },
    ]);
    expect(cmds[0].body.outputs).to.deep.equal([{ gtin: '04000001000012', lotCode: 'RB-333', quantity: '580' }]);
  });

  it('keeps a 101 without an order a shipment receipt', () => {
    const cmds = idocToCommands(wmmbxy(item('101', 'RB-1', '5')).replace('<MBLNR>', '<XBLNR>80001234</XBLNR><MBLNR>'), SAP_MAPPINGS);
    expect(cmds.map((c) => c.fn)).to.deep.equal(['ReceiveShipment']);
  });

  it('refuses an issue without its receipt, or without an order, naming the field', () => {
    const lone = problemOf(() => idocToCommands(wmmbxy(item('261', 'GC-1', '600', '<AUFNR>1000123</AUFNR>')), SAP_MAPPINGS));
    expect(lone.httpStatus).to.equal(422);
    expect(lone.details.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].BWART');
    expect(lone.details.errors[0].message).to.match(/production order 1000123 needs both/);
    const noOrder = problemOf(() => idocToCommands(wmmbxy(item('261', 'GC-1', '600')), SAP_MAPPINGS));
    expect(noOrder.details.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].AUFNR');
  });
});
