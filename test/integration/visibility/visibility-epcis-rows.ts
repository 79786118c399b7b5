/**
 * The query API's EPCIS 2.0 rows of the visibility matrix (the query
 * interface, named queries and their subscriptions): what each reader's
 * answer holds, against the model (visibility-model.ts). Part of QUERY_ROWS
 * (visibility-query-rows.ts).
 */
import { expect } from 'chai';
import { AUDITOR, MEMBERS, READERS } from './visibility-devnet';
import { each, eventVisible, same, sameForAll, type Row } from './visibility-context';
import { OWNER } from './visibility-model';

type Any = Record<string, any>;

export const EPCIS_ROWS: Record<string, Row> = {
  'OPTIONS /epcis': sameForAll('/epcis', 204, { method: 'OPTIONS' }),
  'OPTIONS /epcis/*path': sameForAll('/epcis/events', 204, { method: 'OPTIONS' }),
  'GET /epcis': sameForAll('/epcis', 200, { body: true }),
  'POST /epcis/queries': async (x) => {
    // Made before the rows ran (each reader's own query); a name is per organisation, so another's is no conflict.
    for (const reader of READERS) {
      const taken = x.queryName[reader === AUDITOR ? MEMBERS[0] : AUDITOR];
      const a = await x.r.query(reader, '/epcis/queries', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: taken, query: {} }),
      });
      expect(a.status, `${reader} names a query as another organisation did: ${a.text.slice(0, 200)}`).to.equal(201);
      expect((await x.r.query(reader, `/epcis/queries/${taken}`, { method: 'DELETE' })).status, `${reader} deletes its own`).to.equal(204);
    }
  },
  'GET /epcis/queries': async (x) => {
    await each(async (reader) => {
      const body = (await x.r.ok(reader, '/epcis/queries')) as Any;
      const names = JSON.stringify(body);
      for (const other of READERS) expect(names.includes(x.queryName[other]), `${reader} lists ${other}'s query`).to.equal(other === reader);
    });
  },
  'GET /epcis/queries/:name': async (x) => {
    await each(async (reader) => {
      for (const other of READERS)
        expect((await x.r.query(reader, `/epcis/queries/${x.queryName[other]}`)).status, `${reader} reads ${other}'s`).to.equal(other === reader ? 200 : 404);
    });
  },
  'DELETE /epcis/queries/:name': async (x) => {
    await each(async (reader) => {
      const other = reader === AUDITOR ? MEMBERS[0] : AUDITOR;
      expect((await x.r.query(reader, `/epcis/queries/${x.queryName[other]}`, { method: 'DELETE' })).status, `${reader} deletes ${other}'s`).to.equal(404);
    });
  },
  'GET /epcis/queries/:name/events': async (x) => {
    await each(async (reader) => {
      const { ids } = await x.r.epcisPages(reader, `/epcis/queries/${x.queryName[reader]}/events?perPage=50`);
      same(
        reader,
        'events of its named query',
        ids,
        x.events.filter((e) => eventVisible(x, reader, e)).map((e) => e.eventId),
      );
      const other = reader === AUDITOR ? MEMBERS[0] : AUDITOR;
      expect((await x.r.query(reader, `/epcis/queries/${x.queryName[other]}/events`)).status).to.equal(404);
    });
  },
  'POST /epcis/queries/:name/subscriptions': async (x) => {
    await each(async (reader) => {
      const other = reader === AUDITOR ? MEMBERS[0] : AUDITOR;
      const a = await x.r.query(reader, `/epcis/queries/${x.queryName[other]}/subscriptions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ dest: 'http://127.0.0.1:9/hook' }),
      });
      expect(a.status, `${reader} subscribes to ${other}'s query: ${a.text.slice(0, 200)}`).to.equal(404);
    });
  },
  'GET /epcis/queries/:name/subscriptions': async (x) => {
    await each(async (reader) => {
      for (const other of READERS) {
        const a = await x.r.query(reader, `/epcis/queries/${x.queryName[other]}/subscriptions`);
        expect(a.status, `${reader} lists ${other}'s subscriptions`).to.equal(other === reader ? 200 : 404);
        if (a.status === 200)
          same(
            reader,
            'subscriptions',
            (a.body as Any[]).map((sub) => sub.subscriptionID ?? sub.id),
            [x.subscriptionId[reader]],
          );
      }
    });
  },
  'GET /epcis/queries/:name/subscriptions/:id': async (x) => {
    await each(async (reader) => {
      for (const other of READERS) {
        const a = await x.r.query(reader, `/epcis/queries/${x.queryName[other]}/subscriptions/${x.subscriptionId[other]}`);
        expect(a.status, `${reader} reads ${other}'s subscription`).to.equal(other === reader ? 200 : 404);
      }
    });
  },
  'DELETE /epcis/queries/:name/subscriptions/:id': async (x) => {
    await each(async (reader) => {
      const other = reader === AUDITOR ? MEMBERS[0] : AUDITOR;
      const a = await x.r.query(reader, `/epcis/queries/${x.queryName[other]}/subscriptions/${x.subscriptionId[other]}`, { method: 'DELETE' });
      expect(a.status, `${reader} ends ${other}'s subscription`).to.equal(404);
    });
  },
  'GET /epcis/events': async (x) => {
    await each(async (reader) => {
      // Pages of seven: the pages hold exactly the events the reader may see, each once.
      const { ids } = await x.r.epcisPages(reader, '/epcis/events?perPage=7');
      const expected = x.events.filter((e) => eventVisible(x, reader, e)).map((e) => e.eventId);
      expect(ids.length, `${reader}: paged events`).to.equal(new Set(expected).size);
      same(reader, 'events', ids, expected);
    });
  },
  'GET /epcis/events/:eventID': async (x) => {
    // One event of each capturer.
    const picks = new Map(x.events.map((e) => [e.capturer, e]));
    await each(async (reader) => {
      for (const e of picks.values()) {
        const a = await x.r.query(reader, `/epcis/events/${encodeURIComponent(e.eventId)}`);
        expect(a.status, `${reader}: event of ${e.capturer}`).to.equal(eventVisible(x, reader, e) ? 200 : 404);
      }
    });
  },
  'GET /epcis/:resource': async (x) => {
    await each(async (reader) => {
      const body = await x.r.ok(reader, '/epcis/bizLocations?perPage=1000');
      const listed = JSON.stringify(body).match(/urn:epc:id:sgln:[0-9.]+/g) ?? [];
      const expected = x.events.filter((e) => e.bizLocation && eventVisible(x, reader, e)).map((e) => e.bizLocation as string);
      same(reader, 'business locations', listed, expected);
    });
  },
  'GET /epcis/:resource/:value': async (x) => {
    const site2 = x.events.find((e) => e.glns.includes(x.s.gln.site2) && e.bizLocation)!.bizLocation!;
    const unknown = (await x.r.query(AUDITOR, `/epcis/bizLocations/${encodeURIComponent('urn:epc:id:sgln:0000000.00001.0')}`)).status;
    await each(async (reader) => {
      const seen = x.events.some((e) => e.bizLocation === site2 && eventVisible(x, reader, e));
      const a = await x.r.query(reader, `/epcis/bizLocations/${encodeURIComponent(site2)}`);
      expect(a.status, `${reader}: a location of supplier 2`).to.equal(seen ? 200 : unknown);
    });
  },
  'GET /epcis/:resource/:value/events': async (x) => {
    const site2 = x.events.find((e) => e.glns.includes(x.s.gln.site2) && e.bizLocation)!.bizLocation!;
    await each(async (reader) => {
      const expected = x.events.filter((e) => e.bizLocation === site2 && eventVisible(x, reader, e)).map((e) => e.eventId);
      const a = await x.r.query(reader, `/epcis/bizLocations/${encodeURIComponent(site2)}/events?perPage=1000`);
      if (a.status === 200)
        same(
          reader,
          'events at supplier 2',
          (a.body.epcisBody.queryResults.resultsBody.eventList as Any[]).map((e) => e.eventID),
          expected,
        );
      else expect(expected, `${reader}: ${a.status} but events are visible`).to.deep.equal([]);
      if (reader !== AUDITOR && reader !== OWNER.site2) expect(expected.length, `${reader}: events at supplier 2`).to.equal(0);
    });
  },

  // ---- FSMA 204 -------------------------------------------------------------------------------
};
