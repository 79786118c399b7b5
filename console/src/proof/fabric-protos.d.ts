// fabric-protos' static protobuf module ships without declarations for its bundle.
declare module 'fabric-protos/bundle.js' {
  const root: any;
  export default root;
}
