/** @module placeholder until implemented */
export const packageName = "@rack-gateway/web";
