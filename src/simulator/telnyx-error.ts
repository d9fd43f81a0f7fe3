/** One entry of Telnyx's error body: `{"errors":[{code,title,detail,source:{pointer},meta:{url}}]}`. */
export interface TelnyxErrorObject {
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
  meta: { url: string };
}

const titles: Record<string, string> = {
  '10004': 'Missing required parameter',
  '10005': 'Resource not found',
  '10009': 'Authentication failed',
  '10011': 'Too many requests',
  '10015': 'Invalid parameter',
  '10016': 'Invalid phone number',
  '10026': 'Invalid parameter type',
  '10032': 'Invalid enum value',
  '90103': 'Dial rate limit exceeded',
  '10007': 'Unexpected error',
};

export function makeTelnyxError(code: string, detail: string, pointer?: string): TelnyxErrorObject {
  return {
    code,
    title: titles[code] ?? 'Error',
    detail,
    ...(pointer === undefined ? {} : { source: { pointer } }),
    meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` },
  };
}
