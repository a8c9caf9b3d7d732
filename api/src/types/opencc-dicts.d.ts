/** OpenCC's dictionaries as opencc-js ships them: "from to[ alt]|from to|…". */
declare module 'opencc-js/dict/*' {
  const dict: string;
  export default dict;
}
