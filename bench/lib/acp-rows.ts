// Rows shaped like the gateway's real traffic: an AcpMessage event carrying an agent_message_chunk notification
// (~230 bytes of JSON data), as the durable-append figure and its raw baseline both write.

const SESSION = '0f8fad5b-d9cb-469f-a165-70867728950e';

export function chunkEventData(i: number): { dir: 'in'; msg: unknown } {
  return {
    dir: 'in',
    msg: {
      jsonrpc: '2.0',
      method: 'session/update',
      params: { sessionId: SESSION, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: String(i).padStart(24, '0') } } },
    },
  };
}

export const CHUNK_META = { principal: 'agent:demo' };

export const STREAMS = 100;
export const streamId = (s: number): string => `session:demo_bench-${s}`;
